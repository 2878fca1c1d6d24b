package io.mlqueue.gateway;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;
import io.mlqueue.contract.MessageId;

/**
 * The two HTTP APIs the gateway speaks, each with its own error shape. The label names the API in
 * {@code /metrics} ({@code protocol="v1"} or {@code "v2"}).
 */
public enum Protocol {
  /** mlqueue's own {@code POST /v1/predict}, {@code /health}, and the paths outside {@code /v2}. */
  V1("v1") {
    @Override
    public byte[] errorBody(ApiError e, MessageId id) {
      return JsonBodies.error(e.status(), e.code(), e.getMessage(), id);
    }
  },
  /**
   * The Open Inference Protocol's REST API (KServe V2) under {@code /v2}: errors are {@code
   * {"error": "message"}}, as the protocol says; the request id, when there is one, is in the
   * message.
   */
  V2("v2") {
    @Override
    public byte[] errorBody(ApiError e, MessageId id) {
      return JsonBodies.protocolError(e.getMessage());
    }
  };

  static final String V2_PREFIX = "/v2";

  private final String label;

  Protocol(String label) {
    this.label = label;
  }

  /** {@code v1} or {@code v2}, as {@code /metrics} labels requests. */
  public String label() {
    return label;
  }

  /**
   * The body of an error answer in this API's shape; {@code id} is the request's, if it has one.
   */
  public abstract byte[] errorBody(ApiError e, MessageId id);

  /**
   * Answers with {@code e} in this API's shape; a 503 says when to retry. Errors that leave a body
   * unread (400 bad_request, 408, 413) end the connection.
   */
  public void sendError(ServerResponse res, ApiError e, MessageId id) {
    sendError(res, e, id, PredictRoute.closesConnection(e));
  }

  /**
   * As {@link #sendError(ServerResponse, ApiError, MessageId)}; {@code close} ends the connection.
   */
  void sendError(ServerResponse res, ApiError e, MessageId id, boolean close) {
    res.status(e.status());
    res.header(HeaderValues.CONTENT_TYPE_JSON);
    if (close) {
      res.header(HeaderValues.CONNECTION_CLOSE);
    } else if (e.status() == 503) {
      res.header(HeaderNames.RETRY_AFTER, "1");
    }
    res.send(errorBody(e, id));
  }

  /** The API a path belongs to: {@code /v2} and below are V2, everything else V1. */
  static Protocol of(String path) {
    return path.equals(V2_PREFIX) || path.startsWith(V2_PREFIX + "/") ? V2 : V1;
  }
}
