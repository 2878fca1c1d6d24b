package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * RabbitMQ stopped and started again in the middle of a stream: every service loses its connection,
 * recovers it by itself and carries on. features resends what the broker had not confirmed, model
 * and metric get back what they had not acked; metric writes no row twice. Nothing is lost. And
 * services started while the broker is down wait for it, say so, and do the whole stream once it is
 * up.
 */
class BrokerRestartIT {
  private static final Duration READY = Duration.ofSeconds(60);
  private static final int PAIRS = 20_000;

  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  @Test
  void aBrokerRestartMidStreamLosesAndDuplicatesNothing() throws Exception {
    String uri = rabbit.uri();
    ServiceProcess model = services.mlqueue("model", uri, "model");
    ServiceProcess metric =
        services.mlqueue("metric", uri, "metric", "--log-dir", logDir.toString());
    model.awaitLog("model: consuming features", READY);
    metric.awaitLog("metric: consuming y_pred", READY);
    ServiceProcess features =
        services.mlqueue("features", uri, "features", "--count", "" + PAIRS, "--rate", "2000");

    Path csv = logDir.resolve("metric_log.csv");
    await("some rows before the restart")
        .atMost(Duration.ofSeconds(60))
        .until(() -> CsvCheck.rowCount(csv) >= PAIRS / 5);
    rabbit.restartBroker(Duration.ofSeconds(3));
    long up = System.nanoTime();
    int rowsAtRestart = CsvCheck.rowCount(csv);
    await("a new row after the restart")
        .atMost(Duration.ofSeconds(60))
        .until(() -> CsvCheck.rowCount(csv) > rowsAtRestart);
    String firstRow = FaultCheck.secondsSince(up);

    features.awaitSuccess(Duration.ofSeconds(120));
    for (ServiceProcess p : new ServiceProcess[] {model, metric}) {
      p.awaitLog("reconnected to", Duration.ofSeconds(30));
    }
    FaultCheck.assertEachPairLoggedOnce(
        "RabbitMQ stopped 3 s mid-stream, started again",
        csv,
        PAIRS,
        rabbit,
        "broker up → first new row " + firstRow + ", all rows " + FaultCheck.secondsSince(up),
        () -> FaultCheck.tails(model, metric, features));
    model.stopCleanly();
    metric.stopCleanly();
  }

  @Test
  void servicesStartedWhileTheBrokerIsDownWaitAndThenDoTheWholeStream() throws Exception {
    String uri = rabbit.uri(); // the vhost exists before the broker goes down
    Path csv = logDir.resolve("metric_log.csv");
    rabbit.stopBroker();
    ServiceProcess model;
    ServiceProcess metric;
    ServiceProcess features;
    long up;
    try {
      model = services.mlqueue("model", uri, "model");
      metric = services.mlqueue("metric", uri, "metric", "--log-dir", logDir.toString());
      features =
          services.mlqueue("features", uri, "features", "--count", "" + PAIRS, "--rate", "4000");
      for (ServiceProcess p : new ServiceProcess[] {model, metric, features}) {
        p.awaitLog("not reachable", READY);
        p.awaitLog("retrying in", READY);
        assertThat(p.tail(50)).as("%s: the password is masked", p).doesNotContain("guest:guest@");
      }
      Thread.sleep(2_000); // a few retries
    } finally {
      rabbit.startBroker();
      up = System.nanoTime();
    }
    await("the first row").atMost(Duration.ofSeconds(60)).until(() -> CsvCheck.rowCount(csv) > 0);
    String firstRow = FaultCheck.secondsSince(up);
    features.awaitSuccess(Duration.ofSeconds(120));
    FaultCheck.assertEachPairLoggedOnce(
        "broker down when the services start, then up",
        csv,
        PAIRS,
        rabbit,
        "broker up → first row " + firstRow + ", all rows " + FaultCheck.secondsSince(up),
        () -> FaultCheck.tails(model, metric, features));
    model.stopCleanly();
    metric.stopCleanly();
  }
}
