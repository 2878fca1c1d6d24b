package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code mlqueue demo} end to end, in-process on the embedded broker: every logged row is a row
 * that was sent, with scikit-learn's prediction for it; its dashboard shows them while it runs.
 */
class DemoEndToEndTest {
  @TempDir Path logDir;

  @Test
  void everyLoggedRowCarriesTheReferencePredictionOfTheRowSent() throws Exception {
    Map<String, Integer> sentRows = new ConcurrentHashMap<>();
    DemoCommand demo = new DemoCommand();
    demo.listener = (MessageId id, int row) -> sentRows.put(id.text(), row);
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(
            () ->
                new CommandLine(demo)
                    .execute(
                        "--rate",
                        "200",
                        "--status-every",
                        "1s",
                        "--gateway-port",
                        "0",
                        "--dashboard-port",
                        "0",
                        "--log-dir",
                        logDir.toString()));
    try {
      // While it runs, its dashboard shows the rows logged so far; the demo runs until it has.
      await().atMost(Duration.ofSeconds(60)).until(() -> demo.dashboardUrl != null || run.isDone());
      assertThat(demo.dashboardUrl).as("the demo serves its dashboard").isNotNull();
      HttpClient http = HttpClient.newHttpClient();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                HttpResponse<String> histogram =
                    http.send(
                        HttpRequest.newBuilder(URI.create(demo.dashboardUrl + "/api/histogram"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                return new ObjectMapper().readTree(histogram.body()).path("rows").asInt() > 100;
              });
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create(demo.dashboardUrl + "/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("api/histogram");
    } finally {
      demo.stop();
    }
    assertThat(run.get(60, TimeUnit.SECONDS)).isZero();

    double[] reference = referencePredictions();
    List<String> lines = Files.readAllLines(logDir.resolve(MetricLog.FILE_NAME));
    assertThat(lines.get(0)).isEqualTo(MetricLog.HEADER);
    List<String> data = lines.subList(1, lines.size());
    assertThat(data).hasSizeGreaterThan(100).hasSize(sentRows.size());
    Set<String> ids = new HashSet<>();
    for (String line : data) {
      MetricLog.Row row = MetricLog.parse(line);
      assertThat(ids.add(row.id())).as("one row per id").isTrue();
      Integer sent = sentRows.get(row.id());
      assertThat(sent).as("row %s was sent", row.id()).isNotNull();
      assertThat(row.yPred()).isCloseTo(reference[sent], org.assertj.core.data.Offset.offset(1e-9));
      assertThat(row.absoluteError()).isEqualTo(Math.abs(row.yTrue() - row.yPred()));
    }

    BufferedImage png = ImageIO.read(logDir.resolve("error_distribution.png").toFile());
    assertThat(png.getWidth()).isGreaterThan(100);
  }

  /** scikit-learn's predictions for the 442 rows, from the reference file. */
  private static double[] referencePredictions() throws Exception {
    try (InputStream in =
        DemoEndToEndTest.class.getResourceAsStream("/reference_linear_regression.json")) {
      JsonNode predictions = new ObjectMapper().readTree(in).path("full_fit").path("predictions");
      double[] out = new double[predictions.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = predictions.get(i).asDouble();
      }
      assertThat(out).hasSize(442);
      return out;
    }
  }
}
