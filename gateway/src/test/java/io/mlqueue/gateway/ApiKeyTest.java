package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --api-key-file}: predictions of both APIs need a key, probes and scrapers do not. */
class ApiKeyTest {
  private static final String KEY = "k-0123456789abcdef";
  private static final String BODY = "{\"features\": [1, 2]}";
  private static final String V2_BODY =
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP64\", \"data\": [1, 2]}]}";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> post(GatewayServer server, String header, String value)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url() + "/v1/predict"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(BODY));
    if (header != null) {
      b.header(header, value);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void predictionsNeedOneOfTheKeysAndHealthDoesNot() throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "# keys of the clients\n\nanother-key-0000000000\n" + KEY + "\n");
    GatewayServer server =
        GatewayServer.start(
            GatewayConfig.defaults().withHost("127.0.0.1").withPort(0),
            new FakePredictor(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            ApiKeys.load(file));
    try {
      HttpResponse<String> none = post(server, null, null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.body()).contains("\"code\":\"unauthorized\"").contains("X-API-Key");
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      assertThat(post(server, "X-API-Key", KEY + "x").statusCode()).isEqualTo(401);
      assertThat(post(server, "Authorization", "Basic " + KEY).statusCode()).isEqualTo(401);

      assertThat(post(server, "X-API-Key", KEY).statusCode()).isEqualTo(200);
      assertThat(post(server, "Authorization", "Bearer " + KEY).statusCode()).isEqualTo(200);
      assertThat(post(server, "Authorization", "bearer another-key-0000000000").statusCode())
          .isEqualTo(200);

      // The Open Inference API's inference needs a key too, its metadata does not.
      HttpResponse<String> v2 =
          http.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/fake/infer"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(V2_BODY))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(v2.statusCode()).isEqualTo(401);
      assertThat(v2.body()).startsWith("{\"error\":\"this gateway requires an API key");
      HttpResponse<String> v2Keyed =
          http.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/fake/infer"))
                  .header("Content-Type", "application/json")
                  .header("X-API-Key", KEY)
                  .POST(HttpRequest.BodyPublishers.ofString(V2_BODY))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(v2Keyed.statusCode()).as(v2Keyed.body()).isEqualTo(200);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/fake")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);

      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/health")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
    } finally {
      server.close();
    }
  }

  @Test
  void aKeyFileThatCannotProtectAnythingIsRefusedAtStartUp() throws Exception {
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "# nothing\n");
    assertThatThrownBy(() -> ApiKeys.load(empty)).hasMessageContaining("holds no key");
    Path weak = dir.resolve("weak");
    Files.writeString(weak, "short\n");
    assertThatThrownBy(() -> ApiKeys.load(weak))
        .hasMessageContaining("line 1")
        .hasMessageContaining("shorter than 16")
        .hasMessageNotContaining("short\n");
    assertThatThrownBy(() -> ApiKeys.load(dir.resolve("missing")))
        .hasMessageContaining("cannot read");
  }
}
