package io.mlqueue.model.service;

import io.mlqueue.amqp.Outcome;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One outcome shared by the two publishes of a shadowed message (the champion's and the
 * challenger's): {@code then} hears {@code confirmed} once both are confirmed, or {@code failed} at
 * the first failure, once. The input is then requeued and predicted again, so a prediction already
 * confirmed may be published twice; metric keeps one row per (id, model).
 */
final class BothConfirmed implements Outcome {
  private final Outcome then;
  private final AtomicInteger confirmations = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();

  private BothConfirmed(Outcome then) {
    this.then = then;
  }

  static Outcome of(Outcome then) {
    return new BothConfirmed(then);
  }

  @Override
  public void confirmed() {
    if (confirmations.incrementAndGet() == 2 && failures.get() == 0) {
      then.confirmed();
    }
  }

  @Override
  public void failed(String reason) {
    if (failures.getAndIncrement() == 0) {
      then.failed(reason);
    }
  }
}
