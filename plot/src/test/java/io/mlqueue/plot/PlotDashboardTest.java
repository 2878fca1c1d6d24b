package io.mlqueue.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlqueue.contract.ModelLog;
import io.mlqueue.observe.MetricsServer;
import io.mlqueue.observe.Observability;
import io.mlqueue.stats.cost.CostModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard on the plot service's real HTTP server (port 0), over a CSV in a temporary
 * directory that the test appends to as the metric service would.
 */
class PlotDashboardTest {

  private static final Duration FAST = Duration.ofMillis(50);
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper mapper = new ObjectMapper();
  private PlotService service;
  private MetricsServer server;

  private void startServer() {
    startServer(new PlotService(PlotConfig.of(dir).withInterval(FAST)));
  }

  private void startServer(PlotService plot) {
    service = plot;
    server =
        MetricsServer.start(
            "plot",
            "127.0.0.1",
            0,
            Observability.registry("plot"),
            service::isRunning,
            new PlotDashboard(service));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (service != null) {
      service.close();
    }
  }

  private void appendRows(int from, int to) throws IOException {
    MetricLogRows.append(dir, from, to, 41, 0.75);
  }

  private <T> HttpResponse<T> get(String path, HttpResponse.BodyHandler<T> body, String... headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.timeout(Duration.ofSeconds(5)).build(), body);
  }

  private JsonNode histogram() throws Exception {
    HttpResponse<String> response = get("/api/histogram", HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return mapper.readTree(response.body());
  }

  @Test
  void theHistogramFollowsRowsAppendedToTheCsv() throws Exception {
    appendRows(0, 100);
    startServer();
    service.start();

    await()
        .atMost(DEADLINE)
        .pollInterval(FAST)
        .until(() -> histogram().path("rows").asInt() == 100);
    JsonNode first = histogram();
    HttpResponse<String> response = get("/api/histogram", HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(first.path("running").asBoolean()).isTrue();
    assertThat(first.path("stats").path("count").asInt()).isEqualTo(100);
    assertThat(sum(first.path("bins").path("counts"))).isEqualTo(100);

    appendRows(100, 350);

    await()
        .atMost(DEADLINE)
        .pollInterval(FAST)
        .until(() -> histogram().path("rows").asInt() == 350);
    JsonNode second = histogram();
    assertThat(second.path("draw").asLong()).isGreaterThan(first.path("draw").asLong());
    assertThat(sum(second.path("bins").path("counts"))).isEqualTo(350);
    assertThat(second.path("stats").path("mae").asDouble())
        .isNotEqualTo(first.path("stats").path("mae").asDouble());
    assertThat(second.path("stats").path("mae").asDouble())
        .isEqualTo(service.latest().orElseThrow().stats().mean());
  }

  private static int sum(JsonNode counts) {
    int total = 0;
    for (JsonNode c : counts) {
      total += c.asInt();
    }
    return total;
  }

  @Test
  void thePageIsOneSelfContainedHtmlDocument() throws Exception {
    startServer();

    HttpResponse<String> page = get("/", HttpResponse.BodyHandlers.ofString());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("content-security-policy"))
        .hasValueSatisfying(
            csp -> assertThat(csp).contains("default-src 'none'", "connect-src 'self'"));
    String html = page.body();
    assertThat(html).startsWith("<!doctype html>").contains("<svg", "api/histogram", "fetch(");
    // Nothing from another origin: no absolute URL at all, no external script, stylesheet or font.
    assertThat(html).doesNotContain("http://", "https://", "<link", "@import", "url(");
    assertThat(html).doesNotContainPattern("(?i)<script[^>]*\\bsrc\\s*=");
    assertThat(html).doesNotContainPattern("(?i)\\bsrc\\s*=\\s*[\"']?//");
    assertThat(get("/nope", HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    // Without a broker or metric to ask, the pipeline panel says it has nothing.
    HttpResponse<String> pipeline = get("/api/pipeline", HttpResponse.BodyHandlers.ofString());
    assertThat(pipeline.statusCode()).isEqualTo(200);
    assertThat(pipeline.body()).isEqualTo("{\"available\":false}");
    assertThat(html).contains("api/pipeline");
  }

  @Test
  void thePngIsMissingUntilTheFirstDrawThenServedFromMemory() throws Exception {
    appendRows(0, 60);
    startServer();

    HttpResponse<String> missing =
        get("/" + PlotService.PNG_FILE_NAME, HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(mapper.readTree(missing.body()).path("error").asText()).isEqualTo("not_drawn_yet");

    service.start();
    await()
        .atMost(DEADLINE)
        .pollInterval(FAST)
        .until(
            () ->
                get("/" + PlotService.PNG_FILE_NAME, HttpResponse.BodyHandlers.discarding())
                        .statusCode()
                    == 200);
    HttpResponse<byte[]> png =
        get("/" + PlotService.PNG_FILE_NAME, HttpResponse.BodyHandlers.ofByteArray());
    assertThat(png.headers().firstValue("content-type")).hasValue("image/png");
    assertThat(Arrays.copyOf(png.body(), PNG_MAGIC.length)).isEqualTo(PNG_MAGIC);
    assertThat(png.body()).isEqualTo(service.latest().orElseThrow().png());

    String etag = png.headers().firstValue("etag").orElseThrow();
    HttpResponse<byte[]> again =
        get(
            "/" + PlotService.PNG_FILE_NAME,
            HttpResponse.BodyHandlers.ofByteArray(),
            "If-None-Match",
            etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
  }

  private JsonNode models() throws Exception {
    HttpResponse<String> response = get("/api/models", HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    return mapper.readTree(response.body());
  }

  @Test
  void everyModelOfTheModelLogIsServedPerWindowWithCostAndTheSaving() throws Exception {
    CostModel prices = new CostModel("EUR", 2, 1, List.of());
    startServer(
        new PlotService(
            PlotConfig.of(dir).withInterval(FAST),
            new ModelWindows(
                Duration.ofSeconds(10),
                30,
                Optional.of(prices),
                InstantSource.system(),
                ModelWindows.Listener.NONE)));
    assertThat(models().path("available").asBoolean()).isFalse();
    service.start();

    // A shadow: the champion off by 10 (over), the challenger by 2 (under), on the same ids.
    Instant now = Instant.now();
    StringBuilder rows = new StringBuilder(ModelLog.HEADER + "\n");
    for (int i = 0; i < 40; i++) {
      rows.append(ModelLog.format(ModelLog.Row.of("r" + i, "diabetes:1", 100 + i, 110 + i, now)))
          .append('\n')
          .append(ModelLog.format(ModelLog.Row.of("r" + i, "diabetes:2", 100 + i, 98 + i, now)))
          .append('\n');
    }
    Files.writeString(dir.resolve(ModelLog.FILE_NAME), rows);

    await().atMost(DEADLINE).pollInterval(FAST).until(() -> models().path("models").size() == 2);
    JsonNode m = models();
    assertThat(m.path("available").asBoolean()).isTrue();
    assertThat(m.path("windows").asInt()).isEqualTo(30);
    assertThat(m.path("costUnit").asText()).isEqualTo("EUR");
    JsonNode champion = m.path("models").get(0);
    assertThat(champion.path("model").asText()).isEqualTo("diabetes:1");
    assertThat(champion.path("mae").size()).isEqualTo(30);
    // One window has the rows (the last, or the one before if a window closed since): 10 there,
    // null (no rows) elsewhere.
    List<Double> maes = new java.util.ArrayList<>();
    champion.path("mae").forEach(v -> maes.add(v.isNull() ? null : v.asDouble()));
    assertThat(maes.stream().filter(java.util.Objects::nonNull)).containsExactly(10.0);
    assertThat(maes.subList(0, 28)).containsOnlyNulls();
    assertThat(champion.path("span").path("costPerThousand").asDouble()).isEqualTo(10_000.0);
    assertThat(m.path("models").get(1).path("span").path("costPerThousand").asDouble())
        .isEqualTo(4_000.0);
    JsonNode saving = m.path("comparisons").get(0);
    assertThat(saving.path("from").asText()).isEqualTo("diabetes:1");
    assertThat(saving.path("to").asText()).isEqualTo("diabetes:2");
    assertThat(saving.path("pairs").asInt()).isEqualTo(40);
    // Every pair saves exactly 10 − 4 = 6 per prediction: the interval has no width.
    assertThat(saving.path("savingPerThousand").path("estimate").asDouble()).isEqualTo(6_000.0);
    assertThat(saving.path("savingPerThousand").path("lower").asDouble()).isEqualTo(6_000.0);
    assertThat(saving.path("maeDifference").path("estimate").asDouble()).isEqualTo(8.0);
  }

  @Test
  void ifNoneMatchListsAndWeakTagsMatch() {
    assertThat(PlotDashboard.matches(List.of("\"draw-2\", \"draw-3\""), "\"draw-3\"")).isTrue();
    assertThat(PlotDashboard.matches(List.of("W/\"draw-3\""), "\"draw-3\"")).isTrue();
    assertThat(PlotDashboard.matches(List.of("*"), "\"draw-3\"")).isTrue();
    assertThat(PlotDashboard.matches(List.of("\"draw-30\""), "\"draw-3\"")).isFalse();
  }
}
