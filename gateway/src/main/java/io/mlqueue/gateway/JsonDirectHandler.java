package io.mlqueue.gateway;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Answers what Helidon answers by itself, outside the routes: a body over the payload limit
 * (refused from its {@code Content-Length} before any handler runs), a malformed request line or
 * header, too many concurrent requests, an exception that escaped a handler. Helidon's default
 * writes plain text; this writes the gateway's JSON error in the shape of the API the path belongs
 * to, and never an exception's message unless Helidon marked it safe to show.
 */
final class JsonDirectHandler implements DirectHandler {
  private final long maxBodyBytes;
  private final GatewayMetrics metrics;

  JsonDirectHandler(long maxBodyBytes, GatewayMetrics metrics) {
    this.maxBodyBytes = maxBodyBytes;
    this.metrics = metrics;
  }

  @Override
  public TransportResponse handle(
      TransportRequest request,
      EventType eventType,
      Status defaultStatus,
      ServerResponseHeaders responseHeaders,
      Throwable thrown) {
    String safe =
        thrown instanceof RequestException e && e.safeMessage() ? thrown.getMessage() : null;
    return handle(request, eventType, defaultStatus, responseHeaders, safe);
  }

  @Override
  public TransportResponse handle(
      TransportRequest request,
      EventType eventType,
      Status status,
      ServerResponseHeaders responseHeaders,
      String message) {
    int code = status.code();
    String errorCode;
    String text;
    switch (code) {
      case 413 -> {
        errorCode = ApiError.PAYLOAD_TOO_LARGE;
        text = ApiError.payloadTooLarge(maxBodyBytes).getMessage();
      }
      case 400 -> {
        errorCode = ApiError.BAD_REQUEST;
        text = "malformed HTTP request" + (message == null ? "" : ": " + message);
      }
      case 404 -> {
        errorCode = ApiError.NOT_FOUND;
        text = "no such resource";
      }
      case 503 -> {
        errorCode = ApiError.SERVICE_UNAVAILABLE;
        text = "the gateway is at its limit of concurrent requests; retry shortly";
      }
      case 500 -> {
        errorCode = ApiError.INTERNAL_ERROR;
        text = "the gateway failed to handle the request; its log has the details";
      }
      default -> {
        errorCode = "http_" + code;
        text = message == null ? status.reasonPhrase() : message;
      }
    }
    String path = request.path();
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    Protocol protocol = Protocol.of(path);
    if (GatewayServer.isPrediction(request.method(), path)) {
      metrics.answered(protocol, code, errorCode, -1);
    }
    // A refused body was not read: the connection cannot carry another request (and reading it
    // anyway would let a slow client hold the connection past the read timeout).
    boolean keepAlive =
        eventType.keepAlive()
            && code != 413
            && code != 400
            && !SlowClientGuard.hasBody(request.headers());
    if (code == 503) {
      responseHeaders.set(HeaderNames.RETRY_AFTER, "1");
    }
    return TransportResponse.builder()
        .status(status)
        .headers(responseHeaders)
        .header(HeaderNames.CONTENT_TYPE, "application/json")
        .keepAlive(keepAlive)
        .entity(protocol.errorBody(new ApiError(code, errorCode, text), null))
        .build();
  }
}
