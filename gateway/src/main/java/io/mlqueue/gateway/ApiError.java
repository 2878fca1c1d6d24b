package io.mlqueue.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;

/**
 * A request that ends in an error response: the HTTP status, a stable machine-readable code and a
 * message for the person who sent it. Thrown on the request path as ordinary control flow, so it
 * records no stack trace: filling one in on every bad request would cost more than the parse.
 *
 * <p>Both APIs use it; each writes it in its own shape (see {@link Protocol#errorBody}). The code
 * labels the request in {@code /metrics} and, on {@code /v1}, is part of the answer.
 */
public final class ApiError extends Exception {
  public static final String INVALID_JSON = "invalid_json";
  public static final String INVALID_REQUEST = "invalid_request";
  public static final String TOO_MANY_INSTANCES = "too_many_instances";
  public static final String INVALID_INPUT = "invalid_input";
  public static final String PAYLOAD_TOO_LARGE = "payload_too_large";
  public static final String REQUEST_TIMEOUT = "request_timeout";
  public static final String BAD_REQUEST = "bad_request";
  public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
  public static final String NOT_FOUND = "not_found";
  public static final String UNAUTHORIZED = "unauthorized";
  public static final String METHOD_NOT_ALLOWED = "method_not_allowed";
  public static final String NO_WORKER = "no_worker";
  public static final String BROKER_UNAVAILABLE = "broker_unavailable";

  /**
   * The broker blocks publishing (a memory or disk alarm): calls cannot be sent until it clears.
   */
  public static final String BROKER_BLOCKED = "broker_blocked";

  public static final String SERVICE_UNAVAILABLE = "service_unavailable";
  public static final String TIMEOUT = "timeout";
  public static final String MODEL_ERROR = "model_error";
  public static final String INTERNAL_ERROR = "internal_error";

  /** V2 only: no model of that name (and version) is served. */
  public static final String MODEL_NOT_FOUND = "model_not_found";

  /** V2 only: the answer came from another version than the one asked for (during a swap). */
  public static final String MODEL_CHANGED = "model_changed";

  private final int status;
  private final String code;

  public ApiError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public static ApiError invalidJson(String message) {
    return new ApiError(400, INVALID_JSON, message);
  }

  public static ApiError invalidRequest(String message) {
    return new ApiError(400, INVALID_REQUEST, message);
  }

  public static ApiError payloadTooLarge(long maxBytes) {
    return new ApiError(
        413,
        PAYLOAD_TOO_LARGE,
        "the request body is over this gateway's limit of "
            + maxBytes
            + " bytes; send fewer instances per request");
  }

  /** 400 invalid_json for what Jackson could not parse, with where and why. */
  public static ApiError invalidJson(JsonProcessingException e) {
    if (e instanceof StreamConstraintsException) {
      return invalidJson("the JSON is too deeply nested or has a too long value: " + firstLine(e));
    }
    var at = e.getLocation();
    String position =
        at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    if (e instanceof JsonEOFException) {
      return invalidJson("the JSON ends early" + position + ": " + firstLine(e));
    }
    return invalidJson("not valid JSON" + position + ": " + firstLine(e));
  }

  private static String firstLine(JsonProcessingException e) {
    String m = String.valueOf(e.getOriginalMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
