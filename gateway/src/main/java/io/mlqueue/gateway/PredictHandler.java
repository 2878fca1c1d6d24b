package io.mlqueue.gateway;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.gateway.Predictor.BrokerDownException;
import io.mlqueue.gateway.Predictor.NoWorkerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/predict}: checks the content type, parses the body, makes the call through the
 * {@link Predictor} and waits for it on the request's own (virtual) thread, at most the configured
 * timeout, then answers with the prediction or an error the client can act on.
 */
final class PredictHandler implements Handler {
  private static final Logger LOG = LoggerFactory.getLogger(PredictHandler.class);
  private static final String USE_JSON = "send the body as application/json";

  private final Predictor predictor;
  private final PredictionParser parser;
  private final GatewayMetrics metrics;
  private final SlowClientGuard guard;
  private final Duration timeout;
  private final long timeoutNanos;
  private final int maxBodyBytes;
  private final Duration readTimeout;

  PredictHandler(
      Predictor predictor, GatewayConfig config, GatewayMetrics metrics, SlowClientGuard guard) {
    this.predictor = predictor;
    this.parser = new PredictionParser(config.maxInstances());
    this.metrics = metrics;
    this.guard = guard;
    this.timeout = config.timeout();
    this.timeoutNanos = config.timeout().toNanos();
    this.maxBodyBytes = config.maxBodyBytes();
    this.readTimeout = config.limits().readTimeout();
  }

  @Override
  public void handle(ServerRequest req, ServerResponse res) {
    long start = System.nanoTime();
    MessageId id = null;
    int status = 500;
    String code = ApiError.INTERNAL_ERROR;
    try {
      try {
        checkContentType(req.headers());
        PredictionParser.Parsed parsed = read(req);
        int n = parsed.instances().length;
        metrics.instances(n);
        id = MessageId.random();
        PredictReply reply =
            call(new PredictRequest(id, parsed.instances(), parsed.featureNames()));
        byte[] body = answer(id, n, parsed.single(), reply);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(body);
        status = 200;
        code = "ok";
      } catch (ApiError e) {
        status = e.status();
        code = e.code();
        // Helidon would otherwise read the rest of the body after the answer, past the read
        // timeout's watch, or parse it as the next request.
        boolean close = closesConnection(e) || !req.content().consumed();
        sendError(res, e, id, close);
        if (close) {
          throw new CloseConnectionException("request body not read to its end");
        }
      }
    } catch (UncheckedIOException e) {
      // Reading the body or writing the answer failed: the client is gone (nginx calls it 499).
      // Closing quietly beats Helidon's default, a logged 500 written to a dead socket.
      status = 499;
      code = "client_closed";
      throw new CloseConnectionException("the client closed the connection", e);
    } finally {
      metrics.answered(status, code, System.nanoTime() - start);
    }
  }

  static void sendError(ServerResponse res, ApiError e, MessageId id) {
    sendError(res, e, id, closesConnection(e));
  }

  /** {@code close}: the answer ends the connection ({@code Connection: close}). */
  static void sendError(ServerResponse res, ApiError e, MessageId id, boolean close) {
    res.status(e.status());
    res.header(HeaderValues.CONTENT_TYPE_JSON);
    if (close) {
      res.header(HeaderValues.CONNECTION_CLOSE);
    } else if (e.status() == 503) {
      res.header(HeaderNames.RETRY_AFTER, "1");
    }
    res.send(JsonBodies.error(e.status(), e.code(), e.getMessage(), id));
  }

  /** The rest of the body cannot be read: the connection cannot carry another request. */
  private static boolean closesConnection(ApiError e) {
    return e.code().equals(ApiError.PAYLOAD_TOO_LARGE)
        || e.code().equals(ApiError.BAD_REQUEST)
        || e.code().equals(ApiError.REQUEST_TIMEOUT);
  }

  // ---- the request ----

  private static void checkContentType(Headers headers) throws ApiError {
    Optional<HttpMediaType> contentType;
    try {
      contentType = headers.contentType();
    } catch (RuntimeException e) {
      throw unsupported("the Content-Type header is not a media type; " + USE_JSON);
    }
    if (contentType.isEmpty()) {
      throw unsupported("the request has no Content-Type; " + USE_JSON);
    }
    HttpMediaType type = contentType.get();
    String subtype = type.subtype().toLowerCase(Locale.ROOT);
    if (!"application".equalsIgnoreCase(type.type())
        || !(subtype.equals("json") || subtype.endsWith("+json"))) {
      throw unsupported(
          "Content-Type " + abbreviate(type.mediaType().text()) + " is not supported; " + USE_JSON);
    }
    // JSON is UTF-8 (RFC 8259); a client that says otherwise would get its text misread.
    String charset = type.parameters().get(HttpMediaType.CHARSET_PARAMETER);
    if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
      throw unsupported(
          "charset " + abbreviate(charset) + " is not supported; send JSON in UTF-8");
    }
  }

  private static ApiError unsupported(String message) {
    return new ApiError(415, ApiError.UNSUPPORTED_MEDIA_TYPE, message);
  }

  private PredictionParser.Parsed read(ServerRequest req) throws ApiError {
    if (!req.content().hasEntity()) {
      return parser.parse(new byte[0]);
    }
    try {
      PredictionParser.Parsed parsed =
          parser.parse(new RequestBody(req.content().inputStream(), maxBodyBytes, guard::expired));
      // Read to its end: the wait for the prediction is not the client's to answer for.
      guard.requestRead();
      return parsed;
    } catch (RequestBody.TooLarge e) {
      throw ApiError.payloadTooLarge(maxBodyBytes);
    } catch (RequestBody.TimedOut e) {
      throw new ApiError(
          408,
          ApiError.REQUEST_TIMEOUT,
          "the request did not arrive whole within the gateway's read timeout of "
              + words(readTimeout)
              + "; send it in one go");
    } catch (RequestBody.Unreadable e) {
      LOG.debug("unreadable request body", e);
      throw new ApiError(
          400,
          ApiError.BAD_REQUEST,
          "the request body could not be read: it ends early or its chunked encoding is broken");
    } catch (IOException e) {
      // The client went away mid-body: nobody to answer.
      throw new UncheckedIOException(e);
    }
  }

  // ---- the call ----

  private PredictReply call(PredictRequest request) throws ApiError {
    CompletableFuture<PredictReply> call;
    try {
      call = predictor.predict(request, timeout);
    } catch (RuntimeException e) {
      throw failed(e, request.id());
    }
    try {
      return call.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // Completing the call tells the predictor to forget it; a late reply is then dropped.
      call.cancel(false);
      throw timedOut();
    } catch (ExecutionException e) {
      throw failed(e.getCause(), request.id());
    } catch (InterruptedException e) {
      // The server is stopping.
      call.cancel(false);
      Thread.currentThread().interrupt();
      throw new ApiError(503, ApiError.SERVICE_UNAVAILABLE, "the gateway is stopping; retry");
    } catch (RuntimeException e) {
      // CancellationException: another party ended the call.
      throw failed(e, request.id());
    }
  }

  private ApiError failed(Throwable cause, MessageId id) {
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
      case TimeoutException e -> timedOut();
      default -> {
        LOG.warn("prediction call {} failed", id, cause);
        yield new ApiError(
            500,
            ApiError.INTERNAL_ERROR,
            "the gateway failed to get a prediction; its log has the details under id " + id);
      }
    };
  }

  private ApiError timedOut() {
    return new ApiError(
        504,
        ApiError.TIMEOUT,
        "no prediction within the gateway's timeout of "
            + words(timeout)
            + "; the model workers may be overloaded, retry later");
  }

  // ---- the answer ----

  private static byte[] answer(MessageId id, int n, boolean single, PredictReply reply)
      throws ApiError {
    if (!reply.id().equals(id)) {
      // The predictor matched a reply to the wrong call: never hand a client another's answer.
      LOG.error("reply for {} was given to request {}", reply.id(), id);
      throw new ApiError(
          500, ApiError.INTERNAL_ERROR, "the gateway mixed up replies; retry (id " + id + ")");
    }
    return switch (reply) {
      case PredictReply.Predictions ok -> {
        double[] values = ok.predictions();
        if (values.length != n) {
          LOG.warn("request {}: {} predictions for {} instances", id, values.length, n);
          throw modelError(id);
        }
        for (double v : values) {
          if (!Double.isFinite(v)) {
            LOG.warn("request {}: the model predicted {}", id, v);
            throw modelError(id);
          }
        }
        yield JsonBodies.predictions(id, values, ok.model(), single);
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

  private static ApiError modelError(MessageId id) {
    return new ApiError(
        500,
        ApiError.MODEL_ERROR,
        "the model worker failed to predict; its log and the gateway's have the details under id "
            + id);
  }

  // ---- words ----

  static String words(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return d.toString();
    }
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
