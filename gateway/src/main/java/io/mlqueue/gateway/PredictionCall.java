package io.mlqueue.gateway;

import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.gateway.Predictor.BrokerBlockedException;
import io.mlqueue.gateway.Predictor.BrokerDownException;
import io.mlqueue.gateway.Predictor.NoWorkerException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call to the model workers, whichever API it came from: sends it through the {@link Predictor},
 * waits on the request's own (virtual) thread at most the gateway's timeout, and turns every way it
 * can fail into an {@link ApiError} the client can act on. A reply is checked before anyone sees it
 * (its id, one finite prediction per instance). Thread-safe.
 */
public final class PredictionCall {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionCall.class);

  private final Predictor predictor;
  private final Duration timeout;
  private final Consumer<String> modelSeen;
  private final Optional<Canary> canary;
  private final AnswerLog answers;

  /**
   * @param modelSeen told the {@code name:version} of every model that answers, so the V2 API knows
   *     which versions are being served
   */
  PredictionCall(Predictor predictor, Duration timeout, Consumer<String> modelSeen) {
    this(predictor, timeout, modelSeen, Optional.empty(), AnswerLog.NONE);
  }

  /**
   * @param canary the share of calls the challenger answers, if any
   * @param answers where every answer given is recorded, for {@code metric --model-log}
   */
  PredictionCall(
      Predictor predictor,
      Duration timeout,
      Consumer<String> modelSeen,
      Optional<Canary> canary,
      AnswerLog answers) {
    this.predictor = predictor;
    this.timeout = timeout;
    this.modelSeen = modelSeen;
    this.canary = canary;
    this.answers = answers;
  }

  /** Where answers are recorded and truths sent. */
  AnswerLog answers() {
    return answers;
  }

  /** The header a canary is sticky by, if any. */
  Optional<String> stickyHeader() {
    return canary.flatMap(Canary::stickyHeader);
  }

  /** The predictions for {@code request}, one per instance and in order. */
  PredictReply.Predictions predict(PredictRequest request) throws ApiError {
    return predict(request, Optional.empty());
  }

  /**
   * The predictions for {@code request}, from the champion or, for the canary's share (by {@code
   * stickyKey} when given), from the challenger; the reply names the model that answered.
   */
  PredictReply.Predictions predict(PredictRequest request, Optional<String> stickyKey)
      throws ApiError {
    MessageId id = request.id();
    Predictor chosen = predictor;
    if (canary.isPresent()
        && canary.get().routesToChallenger(stickyKey)
        && canary.get().challenger().readiness().ready()) {
      // A challenger without a worker: the champion answers rather than a 503.
      chosen = canary.get().challenger();
    }
    Predictor to = chosen;
    PredictReply reply = await(() -> to.predict(request, timeout), id, timeout);
    if (!reply.id().equals(id)) {
      // The predictor matched a reply to the wrong call: never hand a client another's answer.
      LOG.error("reply for {} was given to request {}", reply.id(), id);
      throw new ApiError(
          500, ApiError.INTERNAL_ERROR, "the gateway mixed up replies; retry (id " + id + ")");
    }
    return switch (reply) {
      case PredictReply.Predictions ok -> {
        check(ok, request.instances().length);
        modelSeen.accept(ok.model());
        answers.answered(id, ok.predictions(), ok.model());
        yield ok;
      }
      case PredictReply.Failure f when f.kind() == PredictReply.Kind.INVALID_INPUT ->
          throw new ApiError(
              400,
              ApiError.INVALID_INPUT,
              f.message().isBlank() ? "the model refused the instances" : f.message());
      case PredictReply.Failure f -> {
        LOG.warn("request {}: the model worker failed: {}", id, f.message());
        throw modelError(id);
      }
    };
  }

  /**
   * Waits for the call {@code start} begins, at most {@code timeout}, translating every failure.
   * Completing (cancelling) the future on a timeout tells the predictor to forget the call.
   */
  private static <T> T await(Supplier<CompletableFuture<T>> start, MessageId id, Duration timeout)
      throws ApiError {
    CompletableFuture<T> call;
    try {
      call = start.get();
    } catch (RuntimeException e) {
      throw failure(e, id, timeout);
    }
    try {
      return call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(false);
      throw timedOut(timeout);
    } catch (ExecutionException e) {
      throw failure(e.getCause(), id, timeout);
    } catch (InterruptedException e) {
      // The server is stopping.
      call.cancel(false);
      Thread.currentThread().interrupt();
      throw new ApiError(503, ApiError.SERVICE_UNAVAILABLE, "the gateway is stopping; retry");
    } catch (CancellationException e) {
      // Another party ended the call.
      throw failure(e, id, timeout);
    }
  }

  /** What the client is told when a call ({@code id}, if known) failed with {@code cause}. */
  public static ApiError failure(Throwable cause, MessageId id, Duration timeout) {
    return switch (cause) {
      case NoWorkerException e ->
          new ApiError(
              503,
              ApiError.NO_WORKER,
              "no model worker is serving predictions right now; start one (mlqueue model) and"
                  + " retry");
      case BrokerDownException e -> {
        // The predictor's words may carry the broker's own error text: logs only.
        LOG.debug("request {}: broker unavailable: {}", id, e.getMessage());
        yield new ApiError(
            503,
            ApiError.BROKER_UNAVAILABLE,
            "the gateway is not connected to the message broker (it reconnects by itself);"
                + " retry shortly");
      }
      case BrokerBlockedException e ->
          new ApiError(
              503,
              ApiError.BROKER_BLOCKED,
              "the message broker refuses new messages for now (a memory or disk alarm); nothing"
                  + " is lost; retry after a while");
      case TimeoutException e -> timedOut(timeout);
      default -> {
        LOG.warn("call {} to the model workers failed", id, cause);
        yield new ApiError(
            500,
            ApiError.INTERNAL_ERROR,
            "the gateway failed to get an answer from the model workers; its log has the details"
                + " under id "
                + id);
      }
    };
  }

  private static ApiError timedOut(Duration timeout) {
    return new ApiError(
        504,
        ApiError.TIMEOUT,
        "no answer from the model workers within the gateway's timeout of "
            + words(timeout)
            + "; they may be overloaded, retry later");
  }

  private static void check(PredictReply.Predictions reply, int instances) throws ApiError {
    double[] values = reply.predictions();
    if (values.length != instances) {
      LOG.warn("request {}: {} predictions for {} instances", reply.id(), values.length, instances);
      throw modelError(reply.id());
    }
    for (double v : values) {
      if (!Double.isFinite(v)) {
        LOG.warn("request {}: the model predicted {}", reply.id(), v);
        throw modelError(reply.id());
      }
    }
  }

  private static ApiError modelError(MessageId id) {
    return new ApiError(
        500,
        ApiError.MODEL_ERROR,
        "the model worker failed to predict; its log and the gateway's have the details under id "
            + id);
  }

  /** {@code 5 s}, {@code 300 ms}: a duration as people write it. */
  public static String words(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return d.toString();
    }
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }
}
