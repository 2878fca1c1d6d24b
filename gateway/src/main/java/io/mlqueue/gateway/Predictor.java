package io.mlqueue.gateway;

import io.mlqueue.contract.ModelDescription;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What the HTTP layer asks of the broker side: a request/reply prediction call, a description of
 * the model the workers serve, and whether calls can be served right now.
 */
public interface Predictor extends AutoCloseable {
  /**
   * Sends {@code request} to the model workers. The future completes with the worker's reply, or
   * exceptionally with {@link NoWorkerException} (nobody consumes the request queue: fail at once),
   * {@link java.util.concurrent.TimeoutException} (no reply within {@code timeout}; the pending
   * call is forgotten and a late reply dropped) or {@link BrokerDownException} (not connected).
   */
  CompletableFuture<PredictReply> predict(PredictRequest request, Duration timeout);

  /**
   * Asks one model worker which model it serves (a describe call on the same request/reply path).
   * The future completes as {@link #predict}'s does, or exceptionally with {@link
   * io.mlqueue.contract.InvalidMessageException} when the worker's answer is not a description (a
   * worker that predates describe calls answers one with an error). A predictor that cannot
   * describe models at all completes it with {@link UnsupportedOperationException}; the V2 API then
   * answers 503 on the routes that need the model.
   */
  default CompletableFuture<ModelDescription> describe(Duration timeout) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("this predictor does not describe models"));
  }

  /** Whether the gateway can serve: connected to the broker, and how many workers consume. */
  Readiness readiness();

  /** Connection and worker state, for {@code /health}. */
  record Readiness(boolean connected, int workers) {
    public boolean ready() {
      return connected && workers > 0;
    }

    /** Why not ready, in words; null when ready. */
    public String reason() {
      if (!connected) {
        return "not connected to the message broker";
      }
      return workers <= 0 ? "no model worker consumes prediction requests" : null;
    }
  }

  /** No model worker consumes the request queue. */
  final class NoWorkerException extends RuntimeException {
    public NoWorkerException(String message) {
      super(message);
    }
  }

  /**
   * The broker blocks publishing (a resource alarm: it is low on memory or disk): a call sent now
   * would wait until the alarm clears, so it is refused at once.
   */
  final class BrokerBlockedException extends RuntimeException {
    public BrokerBlockedException(String message) {
      super(message);
    }
  }

  /** The broker connection is down (it is being recovered). */
  final class BrokerDownException extends RuntimeException {
    public BrokerDownException(String message) {
      super(message);
    }
  }

  @Override
  void close();
}
