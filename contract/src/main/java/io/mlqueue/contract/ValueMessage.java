package io.mlqueue.contract;

import java.util.Objects;

/**
 * A single number on queue {@code y_true} or {@code y_pred}: {@code {"id": …, "body": number}}.
 *
 * @param id the pairing id
 * @param value the true answer or the prediction, finite
 * @param model the model that predicted it as {@code name:version}; empty for true answers and for
 *     producers that do not say
 * @param sentAtMillis when the original feature vector was sent (epoch milliseconds), carried
 *     through so the end-to-end latency can be measured; 0 when unknown
 */
public record ValueMessage(MessageId id, double value, String model, long sentAtMillis) {

  public ValueMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(model, "model");
  }

  /** A value with no model and no timestamp, as the course's services send it. */
  public static ValueMessage of(MessageId id, double value) {
    return new ValueMessage(id, value, "", 0);
  }
}
