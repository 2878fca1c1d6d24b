package io.mlqueue.metric;

import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import java.util.Objects;

/**
 * Both halves of one message id, with the handles needed to acknowledge the two messages once the
 * row is safely written.
 *
 * @param <H> the caller's opaque handle type (the service uses its AMQP delivery)
 * @param id the shared message id
 * @param yTrue the true answer
 * @param yPred the prediction
 * @param trueHandle the handle of the {@code y_true} message
 * @param predHandle the handle of the {@code y_pred} message
 * @param sentAtMillis when features sent the pair (the later {@code sent_at} of the two halves), 0
 *     when neither half said (the course's services do not)
 */
public record Pair<H>(
    MessageId id, double yTrue, double yPred, H trueHandle, H predHandle, long sentAtMillis) {

  public Pair {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(trueHandle, "trueHandle");
    Objects.requireNonNull(predHandle, "predHandle");
  }

  /** A pair whose halves did not say when they were sent. */
  public Pair(MessageId id, double yTrue, double yPred, H trueHandle, H predHandle) {
    this(id, yTrue, yPred, trueHandle, predHandle, 0);
  }

  /**
   * The log row of this pair. The row keeps only the id's text, so a numeric id and a string id
   * with the same text become the same row id.
   */
  public MetricLog.Row toRow() {
    return MetricLog.Row.of(id.text(), yTrue, yPred);
  }
}
