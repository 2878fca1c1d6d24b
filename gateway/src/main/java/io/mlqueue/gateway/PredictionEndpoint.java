package io.mlqueue.gateway;

import io.helidon.webserver.http.ServerRequest;

/**
 * One API's prediction route: reads its request through the {@link PredictionExchange}, makes the
 * call through it, and returns the JSON body of the 200 answer. Everything else (limits, timeout,
 * errors in the API's shape, metrics) is the {@link PredictRoute}'s.
 */
@FunctionalInterface
public interface PredictionEndpoint {
  /**
   * The body of the successful answer.
   *
   * @throws ApiError for anything else, answered in the endpoint's API's error shape
   */
  byte[] answer(ServerRequest request, PredictionExchange exchange) throws ApiError;
}
