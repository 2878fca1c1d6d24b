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
 */
public record Pair<H>(MessageId id, double yTrue, double yPred, H trueHandle, H predHandle) {

  public Pair {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(trueHandle, "trueHandle");
    Objects.requireNonNull(predHandle, "predHandle");
  }

  /**
   * The log row of this pair. The row keeps only the id's text, so a numeric id and a string id
   * with the same text become the same row id.
   */
  public MetricLog.Row toRow() {
    return MetricLog.Row.of(id.text(), yTrue, yPred);
  }
}
