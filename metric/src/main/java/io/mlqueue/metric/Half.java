package io.mlqueue.metric;

import io.mlqueue.contract.Queues;

/** Which half of a pair a message is: the true answer or the model's prediction. */
public enum Half {
  TRUE(Queues.Y_TRUE),
  PRED(Queues.Y_PRED);

  private final String queue;

  Half(String queue) {
    this.queue = queue;
  }

  /** The queue this half is consumed from, e.g. to find its dead-letter queue. */
  public String queue() {
    return queue;
  }
}
