package io.mlqueue.gateway;

/**
 * A request that ends in an error response: the HTTP status, a stable machine-readable code and a
 * message for the person who sent it. Thrown on the request path as ordinary control flow, so it
 * records no stack trace: filling one in on every bad request would cost more than the parse.
 */
final class ApiError extends Exception {
  static final String INVALID_JSON = "invalid_json";
  static final String INVALID_REQUEST = "invalid_request";
  static final String TOO_MANY_INSTANCES = "too_many_instances";
  static final String INVALID_INPUT = "invalid_input";
  static final String PAYLOAD_TOO_LARGE = "payload_too_large";
  static final String REQUEST_TIMEOUT = "request_timeout";
  static final String BAD_REQUEST = "bad_request";
  static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
  static final String NOT_FOUND = "not_found";
  static final String UNAUTHORIZED = "unauthorized";
  static final String METHOD_NOT_ALLOWED = "method_not_allowed";
  static final String NO_WORKER = "no_worker";
  static final String BROKER_UNAVAILABLE = "broker_unavailable";
  static final String SERVICE_UNAVAILABLE = "service_unavailable";
  static final String TIMEOUT = "timeout";
  static final String MODEL_ERROR = "model_error";
  static final String INTERNAL_ERROR = "internal_error";

  private final int status;
  private final String code;

  ApiError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  static ApiError invalidJson(String message) {
    return new ApiError(400, INVALID_JSON, message);
  }

  static ApiError invalidRequest(String message) {
    return new ApiError(400, INVALID_REQUEST, message);
  }

  static ApiError payloadTooLarge(long maxBytes) {
    return new ApiError(
        413,
        PAYLOAD_TOO_LARGE,
        "the request body is over this gateway's limit of "
            + maxBytes
            + " bytes; send fewer instances per request");
  }
}
