package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlqueue.contract.Queues;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment the course's docker-compose file describes, on a real RabbitMQ: every service in
 * its own process, talking only through the broker and the shared log directory.
 */
class SeparateProcessesIT {
  private static final Duration READY = Duration.ofSeconds(30);
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  // Ordered: processes are started after the vhost exists and killed before it is deleted.
  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  @Test
  void pipelineOfSeparateProcessesLogsEveryPairCorrectlyPlotsItAndStopsCleanlyOnSigterm()
      throws Exception {
    String uri = rabbit.uri();
    String dir = logDir.toString();
    ServiceProcess model = services.mlqueue("model", uri, "model");
    ServiceProcess metric =
        services.mlqueue("metric", uri, "metric", "--log-dir", dir, "--metrics-port", "0");
    ServiceProcess plot =
        services.mlqueue("plot", uri, "plot", "--log-dir", dir, "--interval", "500ms");
    model.awaitLog("model: consuming features", READY);
    metric.awaitLog("metric: consuming y_pred", READY);

    ServiceProcess features =
        services.mlqueue("features", uri, "features", "--count", "2000", "--rate", "1000");
    features.awaitSuccess(Duration.ofSeconds(60));

    Path csv = logDir.resolve("metric_log.csv");
    CsvCheck.awaitExactRows(csv, 2000, Duration.ofSeconds(60), () -> metric.tail(20));
    CsvCheck.assertValidLog(csv, 2000);
    rabbit.awaitEmpty(Duration.ofSeconds(10), Queues.FEATURES, Queues.Y_TRUE, Queues.Y_PRED);
    assertMetricServes(metric, 2000);

    // The running plot redraws when the log changes: its image must become newer than the log's
    // last row. Then --once draws the final state and says how many rows it read.
    Path png = logDir.resolve("error_distribution.png");
    FileTime lastRow = Files.getLastModifiedTime(csv);
    await("running plot redraws after the last row")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Files.exists(png) && Files.getLastModifiedTime(png).compareTo(lastRow) >= 0);
    assertValidPng(png);
    ServiceProcess once = services.mlqueue("plot-once", uri, "plot", "--log-dir", dir, "--once");
    once.awaitSuccess(Duration.ofSeconds(60));
    assertThat(once.output()).contains("plot: drew 2000 rows into");
    assertValidPng(png);

    // SIGTERM, as docker stop or Kubernetes sends it: each service drains and exits with 0. A JVM
    // that merely dies of the signal exits with 143 (128 + 15), which an orchestrator reports as a
    // failure. Soft assertions: one service's exit code must not hide another's.
    SoftAssertions softly = new SoftAssertions();
    for (ServiceProcess p : List.of(plot, metric, model)) {
      int code = p.stop(Duration.ofSeconds(40));
      softly
          .assertThat(code)
          .as(
              "exit code of %s after SIGTERM (143 = killed by the signal); its log ends:%n%s",
              p.name(), p.tail(5))
          .isZero();
    }
    softly.assertThat(plot.output()).contains("plot: stopping on signal");
    softly.assertThat(metric.output()).contains("metric: stopping on signal");
    softly.assertThat(model.output()).contains("model: stopping on signal");
    // The stop lost nothing and nothing was ever dead-lettered: every queue of the vhost, the
    // pipeline's and their .dlq, is empty.
    Map<String, RabbitMqVhost.QueueDepth> depths = rabbit.queueDepths();
    softly
        .assertThat(depths)
        .containsKeys(
            Queues.FEATURES,
            Queues.Y_TRUE,
            Queues.Y_PRED,
            Queues.deadLetterQueue(Queues.FEATURES),
            Queues.deadLetterQueue(Queues.Y_TRUE),
            Queues.deadLetterQueue(Queues.Y_PRED));
    depths.forEach((q, d) -> softly.assertThat(d.isEmpty()).as("%s empty: %s", q, d).isTrue());
    softly.assertAll();
  }

  @Test
  void featuresStoppedBySigtermMidStreamExitsZeroAndEveryPairItSentIsLogged() throws Exception {
    String uri = rabbit.uri();
    ServiceProcess model = services.mlqueue("model", uri, "model");
    ServiceProcess metric =
        services.mlqueue("metric", uri, "metric", "--log-dir", logDir.toString());
    model.awaitLog("model: consuming features", READY);
    metric.awaitLog("metric: consuming y_pred", READY);

    // No --count: it would stream for ever; SIGTERM is the only way it stops.
    ServiceProcess features = services.mlqueue("features", uri, "features", "--rate", "500");
    Path csv = logDir.resolve("metric_log.csv");
    await("first rows logged")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> CsvCheck.rowCount(csv) >= 200);
    features.stopCleanly();

    // It finished the pair it was sending and waited for the broker's confirms before exiting.
    Matcher done = DONE.matcher(features.output());
    assertThat(done.find()).as("summary line of features:%n%s", features.tail(5)).isTrue();
    int sent = Integer.parseInt(done.group(1));
    assertThat(Long.parseLong(done.group(2))).as("messages confirmed").isEqualTo(2L * sent);

    CsvCheck.awaitExactRows(csv, sent, Duration.ofSeconds(30), () -> metric.tail(20));
    CsvCheck.assertValidLog(csv, sent);
    rabbit.awaitEmpty(Duration.ofSeconds(10), Queues.FEATURES, Queues.Y_TRUE, Queues.Y_PRED);
    model.stopCleanly();
    metric.stopCleanly();
  }

  /** {@code features: done, 1234 pairs sent, 2468 messages confirmed, 0 resent}. */
  private static final Pattern DONE =
      Pattern.compile("features: done, (\\d+) pairs sent, (\\d+) messages confirmed");

  private static void assertValidPng(Path png) throws Exception {
    assertThat(png).exists();
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).as("PNG signature of %s", png).startsWith(PNG_SIGNATURE);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).as("%s decodes as an image", png).isNotNull();
    assertThat(image.getWidth()).isGreaterThan(100);
    assertThat(image.getHeight()).isGreaterThan(100);
    // An image of one colour would be a chart that drew nothing.
    int first = image.getRGB(0, 0);
    boolean varied = false;
    for (int y = 0; y < image.getHeight() && !varied; y += 7) {
      for (int x = 0; x < image.getWidth() && !varied; x += 7) {
        varied = image.getRGB(x, y) != first;
      }
    }
    assertThat(varied).as("%s has more than one colour", png).isTrue();
  }

  /** metric's /metrics counts the rows it wrote and exposes the running MAE; /health is up. */
  private static void assertMetricServes(ServiceProcess metric, int rows) throws Exception {
    metric.awaitLog("/metrics, health on", Duration.ofSeconds(10));
    Matcher at = Pattern.compile("metrics on (http://\\S+)/metrics").matcher(metric.output());
    assertThat(at.find()).as("metrics URL in the log of metric").isTrue();
    HttpClient http = HttpClient.newHttpClient();
    String text =
        http.send(
                HttpRequest.newBuilder(URI.create(at.group(1) + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(text)
        .contains("mlqueue_metric_rows_total{service=\"metric\"} " + rows + ".0")
        .contains("mlqueue_metric_mae{service=\"metric\"}")
        // Our features stamps sent_at on every pair: each logged row has its delay counted.
        .contains("mlqueue_metric_pair_delay_seconds_count{service=\"metric\"} " + rows);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(at.group(1) + "/health")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(200);
  }
}
