package io.mlqueue.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesPrometheusTextAndHealth() throws Exception {
    PrometheusMeterRegistry registry = Observability.registry("model");
    registry.counter("mlqueue.test.things").increment(3);
    AtomicBoolean healthy = new AtomicBoolean(true);
    try (MetricsServer server = MetricsServer.start("model", "127.0.0.1", 0, registry, healthy::get)) {
      HttpResponse<String> metrics = get(server, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(metrics.body())
          .contains("mlqueue_test_things_total{service=\"model\"} 3.0")
          .contains("jvm_memory_used_bytes");

      assertThat(get(server, "/health").statusCode()).isEqualTo(200);
      healthy.set(false);
      HttpResponse<String> down = get(server, "/health");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).contains("not_ready");
    }
  }
}
