package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The demo runs every service in one process with one registry, binding each service's meters as
 * its own command does, so its {@code /metrics} carries the meters of model (drift included),
 * metric, features, plot and the gateway: with a shift of bmi, the drift gauges show an episode for
 * bmi and none for age, and the exposition passes {@code promtool check metrics} (Debian's
 * prometheus package; the check is skipped where promtool is not found on the PATH or in
 * $PROMTOOL).
 */
class MetricsExpositionTest {
  @TempDir Path logDir;

  static Optional<Path> promtool() {
    String env = System.getenv("PROMTOOL");
    if (env != null && Files.isExecutable(Path.of(env))) {
      return Optional.of(Path.of(env));
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .map(dir -> Path.of(dir, "promtool"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  @Test
  void theDemosMetricsShowADriftEpisodeAndPassPromtool() throws Exception {
    DemoCommand demo = new DemoCommand();
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(
            () ->
                new CommandLine(demo)
                    .execute(
                        "--rate",
                        "2000",
                        "--status-every",
                        "1s",
                        "--gateway-port",
                        "0",
                        "--dashboard-port",
                        "0",
                        "--log-dir",
                        logDir.toString(),
                        "--drift-window",
                        "200",
                        "--shift",
                        "bmi:0.05@1000"));
    HttpClient http = HttpClient.newHttpClient();
    String[] text = new String[1];
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> demo.dashboardUrl != null || run.isDone());
      assertThat(demo.dashboardUrl).isNotNull();
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                text[0] =
                    http.send(
                            HttpRequest.newBuilder(URI.create(demo.dashboardUrl + "/metrics"))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body();
                return text[0].contains("mlqueue_drift_episode{feature=\"bmi\"")
                    && episode(text[0], "bmi") == 1.0;
              });
    } finally {
      demo.stop();
    }
    assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
    assertThat(episode(text[0], "age")).isZero();
    assertThat(text[0])
        .contains("mlqueue_model_predictions_total{")
        .contains("mlqueue_metric_mae{")
        .contains("mlqueue_features_confirmed_total{")
        .contains("mlqueue_plot_draws_total{")
        .contains("mlqueue_gateway_");
    assertThat(text[0])
        .contains("mlqueue_drift_score{")
        .contains("mlqueue_drift_psi{")
        .contains("mlqueue_drift_estimated_mae{")
        .contains("mlqueue_drift_checks_total{");

    Optional<Path> promtool = promtool();
    Assumptions.assumeTrue(promtool.isPresent(), "promtool not installed");
    Process p =
        new ProcessBuilder(promtool.get().toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().write(text[0].getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
  }

  /** The value of {@code mlqueue_drift_episode} for {@code feature}, NaN when absent. */
  private static double episode(String exposition, String feature) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith("mlqueue_drift_episode{")
          && line.contains("feature=\"" + feature + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }
}
