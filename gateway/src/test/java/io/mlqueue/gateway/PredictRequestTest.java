package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.gateway.GatewayClient.Answer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code POST /v1/predict}: every shape it answers, every mistake it refuses, its body limit. */
class PredictRequestTest extends GatewayTestBase {
  // ---- success ----

  @Test
  void predictsOnePositionalInstance() {
    Answer a = client.postJson("{\"features\": [1, 2.5, -0.5]}");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).startsWith("application/json");
    assertThat(a.json().get("prediction").asDouble()).isEqualTo(3.0);
    assertThat(a.json().get("model").asText()).isEqualTo(FakePredictor.MODEL);
    assertThat(a.json().has("predictions")).isFalse();
    String id = a.json().get("id").asText();
    assertThat(UUID.fromString(id).toString()).isEqualTo(id);
    PredictRequest sent = predictor.last();
    assertThat(sent.id()).isEqualTo(MessageId.of(id));
    assertThat(sent.instances()).isDeepEqualTo(new double[][] {{1, 2.5, -0.5}});
    assertThat(sent.featureNames()).isEmpty();
  }

  @Test
  void predictsOneNamedInstanceInTheClientsKeyOrder() {
    Answer a = client.postJson("{\"features\": {\"sex\": 2, \"age\": 1, \"bmi\": 0.25}}");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().get("prediction").asDouble()).isEqualTo(3.25);
    PredictRequest sent = predictor.last();
    assertThat(sent.featureNames()).containsExactly("sex", "age", "bmi");
    assertThat(sent.instances()).isDeepEqualTo(new double[][] {{2, 1, 0.25}});
  }

  @Test
  void predictsABatchInOrder() {
    Answer a = client.postJson("{\"instances\": [[1, 2], [3, 4], [5, 6e-1]]}");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().has("prediction")).isFalse();
    assertThat(doubles(a.json().get("predictions"))).containsExactly(3.0, 7.0, 5.6);
    assertThat(a.json().get("model").asText()).isEqualTo(FakePredictor.MODEL);
    assertThat(a.json().get("id").asText()).isEqualTo(predictor.last().id().text());
    assertThat(predictor.last().featureNames()).isEmpty();
  }

  @Test
  void predictsABatchOfNamedInstancesInTheFirstObjectsOrder() {
    Answer a =
        client.postJson("{\"instances\": [{\"age\": 1, \"sex\": 2}, {\"sex\": 20, \"age\": 10}]}");

    assertThat(a.status()).isEqualTo(200);
    assertThat(doubles(a.json().get("predictions"))).containsExactly(3.0, 30.0);
    PredictRequest sent = predictor.last();
    assertThat(sent.featureNames()).containsExactly("age", "sex");
    assertThat(sent.instances()).isDeepEqualTo(new double[][] {{1, 2}, {10, 20}});
  }

  @Test
  void acceptsJsonWithCharsetAndStructuredSuffix() {
    assertThat(
            client
                .post("/v1/predict", "application/json; charset=UTF-8", "{\"features\": [1]}")
                .status())
        .isEqualTo(200);
    assertThat(
            client
                .post("/v1/predict", "application/vnd.mlqueue+json", "{\"features\": [1]}")
                .status())
        .isEqualTo(200);
  }

  @Test
  void acceptsTheMaximumNumberOfInstances() {
    Answer a = client.postJson("{\"instances\": [[1], [2], [3], [4], [5]]}");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().get("predictions")).hasSize(MAX_INSTANCES);
  }

  // ---- the client's mistakes ----

  /** The cases are in {@code bad-requests.csv}: body, error code, part of the message. */
  @ParameterizedTest(name = "{0}")
  @CsvFileSource(
      resources = "bad-requests.csv",
      delimiter = '|',
      quoteCharacter = '`',
      numLinesToSkip = 1)
  void refusesAMalformedRequestNamingTheProblem(String body, String code, String message) {
    Answer a = client.postJson(body);

    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.contentType()).startsWith("application/json");
    assertThat(a.json().path("error").path("status").asInt()).isEqualTo(400);
    assertThat(a.code()).isEqualTo(code);
    assertThat(a.message()).contains(message);
    assertThat(predictor.requests).isEmpty();
  }

  @Test
  void refusesAnEmptyBody() {
    Answer a = client.postJson("");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.code()).isEqualTo("invalid_request");
    assertThat(a.message()).contains("the request body is empty");
  }

  @Test
  void keepsTheConnectionUsableAfterAnError() {
    // The same client (and its pooled connection) goes on after a 400 cut short mid-body.
    for (int i = 0; i < 5; i++) {
      assertThat(client.postJson("{\"features\": [NaN, 1, 2, 3, 4, 5]}").status()).isEqualTo(400);
      assertThat(client.postJson("{\"features\": [1]}").status()).isEqualTo(200);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          text/plain                        | Content-Type text/plain is not supported; send the body as
          application/x-www-form-urlencoded | Content-Type application/x-www-form-urlencoded is not
          application/xml                   | Content-Type application/xml is not supported
          application/json; charset=latin1  | charset latin1 is not supported; send JSON in UTF-8
          """)
  void refusesAnotherContentType(String contentType, String message) {
    Answer a = client.post("/v1/predict", contentType, "{\"features\": [1]}");

    assertThat(a.status()).isEqualTo(415);
    assertThat(a.code()).isEqualTo("unsupported_media_type");
    assertThat(a.message()).contains(message);
    assertThat(predictor.requests).isEmpty();
  }

  @Test
  void refusesABodyWithoutContentType() {
    Answer a = client.post("/v1/predict", null, "{\"features\": [1]}");

    assertThat(a.status()).isEqualTo(415);
    assertThat(a.code()).isEqualTo("unsupported_media_type");
    assertThat(a.message()).contains("no Content-Type");
  }

  @Test
  void refusesADeclaredLengthOverTheLimitBeforeReadingIt() {
    // Helidon refuses it from the header alone, outside the routes: the answer must still be JSON.
    String response =
        GatewayClient.raw(
            server.port(),
            "POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + (MAX_BODY + 1)
                + "\r\n\r\n",
            new byte[0]);

    assertThat(response).startsWith("HTTP/1.1 413 ");
    assertThat(response.toLowerCase()).contains("content-type: application/json");
    assertThat(response.toLowerCase()).contains("connection: close");
    JsonNode json = jsonBody(response);
    assertThat(json.path("error").path("code").asText()).isEqualTo("payload_too_large");
    assertThat(json.path("error").path("message").asText())
        .contains("over this gateway's limit of " + MAX_BODY + " bytes");
  }

  @Test
  void refusesAChunkedBodyOverTheLimit() {
    byte[] body = bigBody(MAX_BODY * 3);
    try {
      Answer a = client.postChunked(body);
      assertThat(a.status()).isEqualTo(413);
      assertThat(a.code()).isEqualTo("payload_too_large");
      assertThat(a.message()).contains(Integer.toString(MAX_BODY));
    } catch (java.io.UncheckedIOException closedBeforeTheAnswer) {
      // Also correct: the server answers 413 and closes while the client is still sending chunks;
      // the close can reach the client before the answer does (a TCP reset discards it).
    }
    assertThat(predictor.requests).isEmpty();
    assertThat(
            client.postChunked("{\"features\": [1, 2]}".getBytes(StandardCharsets.UTF_8)).status())
        .as("the gateway still serves")
        .isEqualTo(200);
  }

  @Test
  void acceptsAChunkedBodyUnderTheLimit() {
    byte[] body = "{\"features\": [1, 2]}".getBytes(StandardCharsets.UTF_8);
    Answer a = client.postChunked(body);

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().get("prediction").asDouble()).isEqualTo(3.0);
  }

  @Test
  void refusesABrokenChunkedEncodingAtOnce() {
    String response =
        GatewayClient.raw(
            server.port(),
            "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n",
            "zz\r\n{\"features\": [1]}\r\n".getBytes(StandardCharsets.US_ASCII));

    assertThat(response).startsWith("HTTP/1.1 400 ");
    assertThat(response.toLowerCase()).contains("connection: close");
    JsonNode json = jsonBody(response);
    assertThat(json.path("error").path("code").asText()).isEqualTo("bad_request");
    assertThat(json.path("error").path("message").asText()).contains("chunked encoding");
  }

  @Test
  void survivesAClientThatLeavesMidBody() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.getOutputStream()
          .write(
              ("POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 100\r\n\r\n{\"features\": [1, ")
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      Thread.sleep(100);
    }

    assertThat(client.postJson("{\"features\": [1]}").status()).isEqualTo(200);
  }

  /** {@code {"features": [0.5, …]}} of at least {@code size} bytes: valid, only too large. */
  private static byte[] bigBody(int size) {
    StringBuilder b = new StringBuilder("{\"features\": [");
    while (b.length() < size) {
      b.append("0.5, ");
    }
    b.append("0.5]}");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
