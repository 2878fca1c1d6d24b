package io.mlqueue.gateway;

import io.mlqueue.contract.MessageId;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where the gateway records the answers it gave and the truths clients send back later, so that
 * {@code metric --model-log} evaluates HTTP traffic like the stream: each answer goes to queue
 * {@code y_pred_shadow} under the model that gave it, each truth ({@code POST /v1/feedback}) to
 * {@code y_true_feedback}, both by id. {@link #NONE} records nothing (the default).
 */
public interface AnswerLog extends AutoCloseable {
  /** Records nothing; feedback is refused as switched off. */
  AnswerLog NONE =
      new AnswerLog() {
        @Override
        public boolean enabled() {
          return false;
        }

        @Override
        public void answered(MessageId id, double[] predictions, String model) {}

        @Override
        public CompletableFuture<Void> feedback(MessageId id, double yTrue, Duration timeout) {
          return CompletableFuture.failedFuture(new IllegalStateException("feedback is off"));
        }

        @Override
        public void close() {}
      };

  /** Whether answers are recorded and feedback taken. */
  boolean enabled();

  /**
   * Records an answer, without making the client wait: instance {@code i} of a call is logged under
   * {@code id} for a single instance, {@code <id>/<i>} for a batch.
   */
  void answered(MessageId id, double[] predictions, String model);

  /** Sends a truth; the future completes once the broker has it, or fails. */
  CompletableFuture<Void> feedback(MessageId id, double yTrue, Duration timeout);

  @Override
  void close();

  /** The id instance {@code i} of a call with {@code count} instances is logged under. */
  static MessageId instanceId(MessageId id, int i, int count) {
    return count == 1 ? id : MessageId.of(id.text() + "/" + i);
  }
}
