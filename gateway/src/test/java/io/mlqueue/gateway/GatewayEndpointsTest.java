package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.gateway.GatewayClient.Answer;
import io.mlqueue.gateway.Predictor.Readiness;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@code /health}, {@code /metrics}, {@code /openapi.json}, and paths and methods that are not. */
class GatewayEndpointsTest extends GatewayTestBase {
  @Test
  void urlIsLoopbackWithTheBoundPort() {
    assertThat(server.port()).isPositive();
    assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
  }

  @Test
  void answersAnUnknownPathWithJson404() {
    Answer a = client.get("/v1/predictions");

    assertThat(a.status()).isEqualTo(404);
    assertThat(a.code()).isEqualTo("not_found");
    assertThat(a.message()).contains("/v1/predictions").contains("POST /v1/predict");
  }

  @Test
  void answersAWrongMethodWithJson405AndAllow() {
    Answer get = client.get("/v1/predict");
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.code()).isEqualTo("method_not_allowed");
    assertThat(get.message()).isEqualTo("GET is not allowed on /v1/predict; use POST");
    assertThat(get.header("Allow")).isEqualTo("POST");

    Answer post = client.post("/health", "application/json", "{}");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.header("Allow")).isEqualTo("GET");

    Answer delete = client.method("DELETE", "/metrics");
    assertThat(delete.status()).isEqualTo(405);
    assertThat(delete.code()).isEqualTo("method_not_allowed");
  }

  // ---- health, metrics, OpenAPI ----

  @Test
  void healthIsReadyWithABrokerAndAWorker() {
    predictor.readiness(new Readiness(true, 3));

    Answer a = client.get("/health");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().get("status").asText()).isEqualTo("ready");
    assertThat(a.json().get("broker").asText()).isEqualTo("connected");
    assertThat(a.json().get("workers").asInt()).isEqualTo(3);
    assertThat(a.json().has("reason")).isFalse();
  }

  @Test
  void healthIsNotReadyWithoutAWorker() {
    predictor.readiness(new Readiness(true, 0));

    Answer a = client.get("/health");

    assertThat(a.status()).isEqualTo(503);
    assertThat(a.json().get("status").asText()).isEqualTo("not_ready");
    assertThat(a.json().get("broker").asText()).isEqualTo("connected");
    assertThat(a.json().get("workers").asInt()).isZero();
    assertThat(a.json().get("reason").asText()).contains("no model worker");
  }

  @Test
  void healthIsNotReadyWithoutTheBroker() {
    predictor.readiness(new Readiness(false, 0));

    Answer a = client.get("/health");

    assertThat(a.status()).isEqualTo(503);
    assertThat(a.json().get("status").asText()).isEqualTo("not_ready");
    assertThat(a.json().get("broker").asText()).isEqualTo("disconnected");
    assertThat(a.json().get("reason").asText()).contains("not connected to the message broker");
  }

  @Test
  void metricsExposeTheGatewayMetersInPrometheusText() {
    client.postJson("{\"instances\": [[1], [2]]}");
    client.postJson("{\"features\": [NaN]}");

    Answer a = client.get("/metrics");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    assertThat(a.body())
        .containsPattern(
            "mlqueue_gateway_requests_total\\{outcome=\"ok\",protocol=\"v1\",status=\"200\"} [1-9]")
        .containsPattern(
            "mlqueue_gateway_requests_total\\{outcome=\"invalid_request\",protocol=\"v1\","
                + "status=\"400\"} [1-9]")
        .contains(
            "mlqueue_gateway_requests_total{outcome=\"timeout\",protocol=\"v1\",status=\"504\"}")
        .contains(
            "mlqueue_gateway_requests_total{outcome=\"timeout\",protocol=\"v2\",status=\"504\"}")
        .contains(
            "mlqueue_gateway_request_duration_seconds_bucket{outcome=\"ok\",protocol=\"v1\",le=\"")
        .contains(
            "mlqueue_gateway_request_duration_seconds_count{outcome=\"client_error\",protocol=\"v2\"}")
        .contains("mlqueue_gateway_request_instances_bucket{protocol=\"v1\",le=\"2.0\"}")
        .containsPattern("mlqueue_gateway_request_instances_count\\{protocol=\"v1\"} [1-9]");
  }

  @Test
  void countsARefusalOutsideTheRoutes() {
    GatewayClient.raw(
        server.port(),
        "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: 999999\r\n\r\n",
        new byte[0]);

    assertThat(client.get("/metrics").body())
        .containsPattern(
            "mlqueue_gateway_requests_total\\{outcome=\"payload_too_large\",protocol=\"v1\","
                + "status=\"413\"} [1-9]");
  }

  @Test
  void servesTheOpenApiDocumentCoveringEveryRoute() {
    Answer a = client.get("/openapi.json");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).startsWith("application/json");
    JsonNode doc = a.json();
    assertThat(doc.get("openapi").asText()).startsWith("3.0");
    GatewayServer.ROUTES.forEach(
        (path, method) ->
            assertThat(doc.path("paths").path(path).has(method.toLowerCase(Locale.ROOT)))
                .as("%s %s in openapi.json", method, path)
                .isTrue());
    assertThat(doc.path("paths").size()).isEqualTo(GatewayServer.ROUTES.size());
    JsonNode responses = doc.path("paths").path("/v1/predict").path("post").path("responses");
    assertThat(list(responses.fieldNames()))
        .contains("200", "400", "413", "415", "500", "503", "504");
  }

  @Test
  void theOpenApiResourceIsValidJsonListingEveryErrorCode() throws Exception {
    JsonNode doc;
    try (InputStream in = GatewayServer.class.getResourceAsStream(GatewayServer.OPENAPI_RESOURCE)) {
      assertThat(in).as("the resource " + GatewayServer.OPENAPI_RESOURCE).isNotNull();
      doc = GatewayClient.JSON.readTree(in);
    }
    JsonNode codes = doc.at("/components/schemas/Error/properties/error/properties/code/enum");
    List<String> documented = texts(codes);
    for (Field f : ApiError.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())
          && f.getType() == String.class
          && !V2_ONLY.contains((String) f.get(null))) {
        assertThat(documented).as("error codes in openapi.json").contains((String) f.get(null));
      }
    }
    assertThat(documented).contains("bad_request", "service_unavailable");
  }

  /** Codes only the V2 API answers with, whose errors carry no code. */
  private static final List<String> V2_ONLY =
      List.of(ApiError.MODEL_NOT_FOUND, ApiError.MODEL_CHANGED);

  private static List<String> texts(JsonNode array) {
    return list(array.elements()).stream().map(JsonNode::asText).toList();
  }
}
