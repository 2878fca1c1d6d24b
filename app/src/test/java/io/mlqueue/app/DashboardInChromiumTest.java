package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The demo's live dashboard in headless Chromium (Debian's {@code chromium}) at 1280×900, while a
 * shift of bmi makes a drift episode: the page loads with no console message (an error, a failed
 * request, a CSP violation would each write one), its row count moves between two loads, the drift
 * panel names the episode, and a screenshot is saved to {@code app/target/dashboard-1280x900.png}.
 * A second test serves {@code plot --cost} over a {@code model_log.csv} of two models in shadow:
 * the page draws one line per model, their cost per 1,000 predictions and the saving of switching
 * (screenshot {@code app/target/dashboard-models-1280x1400.png}), and {@code /metrics} counts each
 * model's cost and the shared ids, passing {@code promtool check metrics} where promtool is.
 * Skipped when Chromium is not installed, except on CI ({@code CI=true}), where .ci/run installs
 * it.
 */
class DashboardInChromiumTest {
  @TempDir Path dir;

  private static Optional<Path> chromium() {
    for (String name : List.of("chromium", "chromium-browser")) {
      for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path p = Path.of(d, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private String[] load(Path browser, String url, String name, String... extra) throws Exception {
    return loadSized(browser, "1280,900", url, name, extra);
  }

  private String[] loadSized(Path browser, String size, String url, String name, String... extra)
      throws Exception {
    Path profile = Files.createDirectories(dir.resolve("profile-" + name));
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                browser.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + profile,
                "--enable-logging=stderr",
                "--v=0",
                "--window-size=" + size,
                "--virtual-time-budget=4000"));
    cmd.addAll(List.of(extra));
    cmd.add(url);
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(dir.resolve(name + ".err").toFile())
            .redirectOutput(dir.resolve(name + ".out").toFile())
            .start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished in time").isTrue();
    String stderr = Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(stderr).isZero();
    return new String[] {
      Files.readString(dir.resolve(name + ".out"), StandardCharsets.UTF_8), stderr
    };
  }

  /** The JSON a dashboard endpoint answers. */
  private static JsonNode api(HttpClient http, String url) throws Exception {
    return new ObjectMapper()
        .readTree(
            http.send(
                    HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
  }

  private static long rows(String dom) {
    Matcher m = Pattern.compile("id=\"s-rows\">([0-9,]+)<").matcher(dom);
    assertThat(m.find()).as("the rows card has a number").isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  @Test
  void theDashboardLoadsCleanlyMovesAndShowsADriftEpisode() throws Exception {
    Optional<Path> browser = chromium();
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(browser)
          .as("chromium is not installed (apt-get install chromium); skipping")
          .isPresent();
    }
    assertThat(browser).as("CI must have chromium (.ci/run installs it)").isPresent();

    DemoCommand demo = new DemoCommand();
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(
            () ->
                new CommandLine(demo)
                    .execute(
                        "--rate",
                        "400",
                        "--status-every",
                        "1s",
                        "--gateway-port",
                        "0",
                        "--dashboard-port",
                        "0",
                        "--log-dir",
                        dir.resolve("logs").toString(),
                        "--drift-window",
                        "200",
                        "--shift",
                        "bmi:0.05@600"));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> demo.dashboardUrl != null || run.isDone());
      assertThat(demo.dashboardUrl).isNotNull();
      HttpClient http = HttpClient.newHttpClient();
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                JsonNode d = api(http, demo.dashboardUrl + "/api/drift");
                return d.path("episodes").size() > 0;
              });
      String[] first = load(browser.get(), demo.dashboardUrl + "/", "first", "--dump-dom");
      // The plot service reads the log on its own interval: wait until it has newer rows than the
      // first page showed, so the second page has something new to show.
      long firstRows = rows(first[0]);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  api(http, demo.dashboardUrl + "/api/histogram").path("rows").asLong()
                      > firstRows);
      String[] second = load(browser.get(), demo.dashboardUrl + "/", "second", "--dump-dom");
      Path shot = Path.of("target", "dashboard-1280x900.png").toAbsolutePath();
      Files.deleteIfExists(shot);
      load(
          browser.get(),
          demo.dashboardUrl + "/",
          "shot",
          "--screenshot=" + shot,
          "--hide-scrollbars");

      for (String[] page : List.of(first, second)) {
        assertThat(
                page[1]
                    .lines()
                    .filter(
                        l ->
                            l.contains(":CONSOLE")
                                || l.contains("Uncaught")
                                || l.contains("Failed to load resource")))
            .isEmpty();
        assertThat(page[0])
            .contains("Drift against the training data")
            .contains("drift episode: bmi");
      }
      assertThat(second[0]).containsPattern("bmi: drifted from [0-9:]+ \\(window [0-9]+\\)");
      // The pipeline panel: the contract's queues with their consumers, and the last minute's
      // delay.
      assertThat(second[0])
          .contains("Pipeline: queues and delay")
          .containsPattern("<td[^>]*>features</td><td[^>]*>[0-9,]+</td><td[^>]*>1</td>")
          .containsPattern("<td[^>]*>y_pred</td><td[^>]*>[0-9,]+</td><td[^>]*>1</td>")
          .containsPattern("[0-9,]+ pairs in the last 60 s: p50 ≤ [0-9.]+ m?s");
      assertThat(rows(second[0]))
          .as("rows move while predictions flow")
          .isGreaterThan(rows(first[0]));
      assertThat(shot).exists();
      assertThat(Files.size(shot)).isGreaterThan(10_000);
    } finally {
      demo.stop();
    }
    assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
  }

  private static Path requireChromium() {
    Optional<Path> browser = chromium();
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(browser)
          .as("chromium is not installed (apt-get install chromium); skipping")
          .isPresent();
    }
    assertThat(browser).as("CI must have chromium (.ci/run installs it)").isPresent();
    return browser.get();
  }

  @Test
  void twoModelsOfTheModelLogShowAsTwoSeriesWithTheirCostAndTheSaving() throws Exception {
    Path browser = requireChromium();
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path cost = dir.resolve("cost.yaml");
    Files.writeString(
        cost,
        """
        unit: EUR
        under_prediction: 2
        over_prediction: 1
        bands:
          - name: high case missed
            true_above: 200
            predicted_below: 150
            cost: 500
        """);
    // Three minutes of a shadow, one pair a second: diabetes:1 over-predicts by 12 to 20,
    // diabetes:2 is off by at most 4 either way.
    java.time.Instant now = java.time.Instant.now();
    StringBuilder rows = new StringBuilder(io.mlqueue.contract.ModelLog.HEADER + "\n");
    for (int i = 180; i >= 0; i--) {
      java.time.Instant at = now.minusSeconds(i);
      double truth = 80 + (i * 37) % 200;
      rows.append(
              io.mlqueue.contract.ModelLog.format(
                  io.mlqueue.contract.ModelLog.Row.of(
                      "id" + i, "diabetes:1", truth, truth + 12 + i % 9, at)))
          .append('\n')
          .append(
              io.mlqueue.contract.ModelLog.format(
                  io.mlqueue.contract.ModelLog.Row.of(
                      "id" + i, "diabetes:2", truth, truth + (i % 9) - 4, at)))
          .append('\n');
    }
    Files.writeString(logs.resolve(io.mlqueue.contract.ModelLog.FILE_NAME), rows);

    PlotCommand plot = new PlotCommand();
    new CommandLine(plot)
        .parseArgs(
            "--log-dir",
            logs.toString(),
            "--cost",
            cost.toString(),
            "--interval",
            "200ms",
            "--window",
            "10s",
            "--windows",
            "30");
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
        io.mlqueue.observe.Observability.registry("plot");
    try (io.mlqueue.plot.PlotService service = plot.service(registry);
        io.mlqueue.observe.MetricsServer server =
            io.mlqueue.observe.MetricsServer.start(
                "plot",
                "127.0.0.1",
                0,
                registry,
                service::isRunning,
                new io.mlqueue.plot.PlotDashboard(service))) {
      service.start();
      HttpClient http = HttpClient.newHttpClient();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> api(http, server.url() + "/api/models").path("models").size() == 2);

      String[] page = load(browser, server.url() + "/", "models", "--dump-dom");
      // Taller than the demo's, so that the models' table and the saving are in the picture.
      Path shot = Path.of("target", "dashboard-models-1280x1400.png").toAbsolutePath();
      Files.deleteIfExists(shot);
      loadSized(
          browser,
          "1280,1400",
          server.url() + "/",
          "models-shot",
          "--screenshot=" + shot,
          "--hide-scrollbars");

      assertThat(
              page[1]
                  .lines()
                  .filter(
                      l ->
                          l.contains(":CONSOLE")
                              || l.contains("Uncaught")
                              || l.contains("Failed to load resource")))
          .isEmpty();
      assertThat(Pattern.compile("<path [^>]*class=\"series\"").matcher(page[0]).results().count())
          .as("one line per model")
          .isEqualTo(2);
      assertThat(page[0])
          .contains("data-model=\"diabetes:1\"", "data-model=\"diabetes:2\"")
          .contains("Cost per 1,000 (EUR)")
          .containsPattern(
              "Switching from diabetes:1 to diabetes:2 saves <span class=\"better\">[0-9,.]+ EUR"
                  + " per 1,000 predictions</span> \\(95% interval [0-9,.]+ to [0-9,.]+, paired t over [0-9,]+"
                  + " shared ids\\): better\\.");
      assertThat(shot).exists();
      assertThat(Files.size(shot)).isGreaterThan(10_000);

      String metrics =
          http.send(
                  HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .containsPattern(
              "mlqueue_plot_model_cost_total\\{[^}]*model=\"diabetes:1\"[^}]*\\} [1-9]")
          .containsPattern(
              "mlqueue_plot_model_rows_total\\{[^}]*model=\"diabetes:2\"[^}]*\\} 181\\.0")
          .containsPattern(
              "mlqueue_plot_pairs_total\\{from=\"diabetes:1\",[^}]*to=\"diabetes:2\"\\} 181\\.0")
          .contains("mlqueue_plot_paired_cost_total{");
      Optional<Path> promtool = MetricsExpositionTest.promtool();
      if (promtool.isPresent()) {
        Process p =
            new ProcessBuilder(promtool.get().toString(), "check", "metrics")
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
      }
    }
  }
}
