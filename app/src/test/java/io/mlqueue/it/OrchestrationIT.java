package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlqueue.contract.Queues;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What docker-compose.yml does, with processes: every service in its own JVM started through the
 * launcher, two model workers sharing the stream, one of them killed mid-run. Whatever the killed
 * worker held unacked goes back to the queue and the other worker predicts it: every pair still
 * ends as exactly one row.
 */
class OrchestrationIT {
  private static final Duration READY = Duration.ofSeconds(60);
  private static final int PAIRS = 10_000;
  private static final Pattern METRICS_AT = Pattern.compile("metrics on (http://\\S+)/metrics");
  private static final Pattern PREDICTIONS =
      Pattern.compile("mlqueue_model_predictions_total\\{[^}]*\\} ([0-9.E]+)");

  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void twoWorkersShareTheStreamAndTheSurvivorFinishesTheKilledOnesWork() throws Exception {
    String uri = rabbit.uri();
    String dir = logDir.toString();
    ServiceProcess metric = services.launcher("metric", uri, "metric", "--log-dir", dir);
    ServiceProcess plot = services.launcher("plot", uri, "plot", "--log-dir", dir);
    ServiceProcess model1 = services.launcher("model-1", uri, "model", "--metrics-port", "0");
    ServiceProcess model2 = services.launcher("model-2", uri, "model", "--metrics-port", "0");
    for (ServiceProcess p : new ServiceProcess[] {model1, model2}) {
      p.awaitLog("model: consuming features", READY);
    }
    metric.awaitLog("metric: consuming y_pred", READY);
    String metrics1 = metricsUrl(model1);
    String metrics2 = metricsUrl(model2);

    ServiceProcess features =
        services.launcher("features", uri, "features", "--count", "" + PAIRS, "--rate", "2000");
    Path csv = logDir.resolve("metric_log.csv");
    await("a fifth of the rows")
        .atMost(Duration.ofSeconds(60))
        .until(() -> CsvCheck.rowCount(csv) >= PAIRS / 5);
    double byFirst = predictions(metrics1); // a lower bound: it goes on until the kill
    model1.kill(); // mid-run, with deliveries in flight

    features.awaitSuccess(Duration.ofSeconds(90));
    CsvCheck.awaitExactRows(csv, PAIRS, Duration.ofSeconds(90), () -> metric.tail(20));
    CsvCheck.assertValidLog(csv, PAIRS);
    rabbit.awaitEmpty(Duration.ofSeconds(15), Queues.FEATURES, Queues.Y_TRUE, Queues.Y_PRED);
    double bySecond = predictions(metrics2);
    assertThat(byFirst).as("the killed worker took part").isGreaterThan(0);
    assertThat(bySecond).as("the survivor took part").isGreaterThan(0);

    for (ServiceProcess p : new ServiceProcess[] {model2, metric, plot}) {
      p.stopCleanly();
    }
  }

  private static String metricsUrl(ServiceProcess model) throws InterruptedException {
    model.awaitLog("/metrics, health on", READY);
    Matcher m = METRICS_AT.matcher(model.output());
    assertThat(m.find()).as("metrics URL in the log of %s", model.name()).isTrue();
    return m.group(1);
  }

  private double predictions(String metricsUrl) throws Exception {
    String text =
        http.send(
                HttpRequest.newBuilder(URI.create(metricsUrl + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher m = PREDICTIONS.matcher(text);
    assertThat(m.find()).as("mlqueue_model_predictions_total at %s", metricsUrl).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
