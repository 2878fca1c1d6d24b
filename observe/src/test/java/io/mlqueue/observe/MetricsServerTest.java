package io.mlqueue.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.webserver.http.HttpService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(MetricsServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesPrometheusTextAndHealth() throws Exception {
    PrometheusMeterRegistry registry = Observability.registry("model");
    registry.counter("mlqueue.test.things").increment(3);
    AtomicBoolean healthy = new AtomicBoolean(true);
    try (MetricsServer server =
        MetricsServer.start("model", "127.0.0.1", 0, registry, healthy::get)) {
      HttpResponse<String> metrics = get(server, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(metrics.body())
          .contains("mlqueue_test_things_total{service=\"model\"} 3.0")
          .contains("jvm_memory_used_bytes");

      assertThat(get(server, "/health").statusCode()).isEqualTo(200);
      healthy.set(false);
      HttpResponse<String> down = get(server, "/health");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).contains("not_ready");
      assertThat(get(server, "/").statusCode()).as("no routes beyond the two").isEqualTo(404);
    }
  }

  @Test
  void servesTheRoutesAServiceAddsBesideItsOwnAndKeepsThemFirst() throws Exception {
    PrometheusMeterRegistry registry = Observability.registry("plot");
    HttpService extra =
        rules ->
            rules
                .get("/", (req, res) -> res.send("dashboard"))
                .get("/health", (req, res) -> res.send("shadowed"));
    try (MetricsServer server =
        MetricsServer.start("plot", "0.0.0.0", 0, registry, () -> true, extra)) {
      assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
      assertThat(get(server, "/").body()).isEqualTo("dashboard");
      assertThat(get(server, "/health").body()).contains("\"status\":\"ready\"");
      assertThat(get(server, "/metrics").body()).contains("jvm_memory_used_bytes");
    }
  }

  @Test
  void aPortThatIsTakenStopsTheStartWithTheAddressAndTheReason() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(
              () ->
                  MetricsServer.start(
                      "model", "127.0.0.1", port, Observability.registry("model"), () -> true))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("cannot listen on 127.0.0.1:" + port + ": Address already in use");
    }
  }

  @Test
  void anAddressThatIsNotThisMachinesStopsTheStartToo() {
    assertThatThrownBy(
            () ->
                MetricsServer.start(
                    "model", "192.0.2.1", 0, Observability.registry("model"), () -> true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot listen on 192.0.2.1:0: ");
  }
}
