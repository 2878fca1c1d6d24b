package io.mlqueue.gateway;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;

/**
 * A prediction route of either API: runs the API's {@link PredictionEndpoint} with a fresh {@link
 * PredictionExchange}, answers 200 with its body or the error in the API's shape, ends the
 * connection when a body was left unread, counts every request in {@code /metrics} under its
 * protocol, and traces it ({@link HttpServerTracer}).
 */
final class PredictRoute implements Handler {
  /** What every request shares: limits, the slow-client guard, metrics, traces and the call. */
  record Shared(
      GatewayConfig config,
      SlowClientGuard guard,
      GatewayMetrics metrics,
      HttpServerTracer tracer,
      PredictionCall call) {}

  private final Protocol protocol;
  private final PredictionEndpoint endpoint;
  private final Shared shared;

  PredictRoute(Protocol protocol, PredictionEndpoint endpoint, Shared shared) {
    this.protocol = protocol;
    this.endpoint = endpoint;
    this.shared = shared;
  }

  @Override
  public void handle(ServerRequest req, ServerResponse res) {
    long start = System.nanoTime();
    PredictionExchange exchange = new PredictionExchange(req, protocol, shared);
    int status = 500;
    String code = ApiError.INTERNAL_ERROR;
    // The server span is current while the call is made: the worker's trace continues the client's.
    HttpServerTracer.ServerSpan span = shared.tracer().start(req);
    try {
      try {
        byte[] body = endpoint.answer(req, exchange);
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
        protocol.sendError(res, e, exchange.id(), close);
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
      shared.metrics().answered(protocol, status, code, System.nanoTime() - start);
      span.status(status, code);
      span.close();
    }
  }

  /** The rest of the body cannot be read: the connection cannot carry another request. */
  static boolean closesConnection(ApiError e) {
    return e.code().equals(ApiError.PAYLOAD_TOO_LARGE)
        || e.code().equals(ApiError.BAD_REQUEST)
        || e.code().equals(ApiError.REQUEST_TIMEOUT);
  }
}
