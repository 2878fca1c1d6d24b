package io.mlqueue.it;

import static org.awaitility.Awaitility.await;

import io.mlqueue.contract.Queues;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * RabbitMQ stopped and started again in the middle of a stream: every service loses its connection,
 * recovers it by itself and carries on. features resends what the broker had not confirmed, model
 * and metric get back what they had not acked; metric writes no row twice. Nothing is lost.
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
    ServiceProcess metric = services.mlqueue("metric", uri, "metric", "--log-dir", logDir.toString());
    model.awaitLog("model: consuming features", READY);
    metric.awaitLog("metric: consuming y_pred", READY);
    ServiceProcess features =
        services.mlqueue("features", uri, "features", "--count", "" + PAIRS, "--rate", "2000");

    Path csv = logDir.resolve("metric_log.csv");
    await("some rows before the restart").atMost(Duration.ofSeconds(60))
        .until(() -> CsvCheck.rowCount(csv) >= PAIRS / 5);
    rabbit.restartBroker(Duration.ofSeconds(3));

    features.awaitSuccess(Duration.ofSeconds(120));
    CsvCheck.awaitExactRows(csv, PAIRS, Duration.ofSeconds(120), () -> metric.tail(20));
    CsvCheck.assertValidLog(csv, PAIRS);
    rabbit.awaitEmpty(Duration.ofSeconds(30), Queues.FEATURES, Queues.Y_TRUE, Queues.Y_PRED);
    for (ServiceProcess p : new ServiceProcess[] {model, metric, features}) {
      if (p != features) {
        p.awaitLog("reconnected to", Duration.ofSeconds(30));
      }
    }
    model.stopCleanly();
    metric.stopCleanly();
  }
}
