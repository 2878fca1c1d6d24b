package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.Queues;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --queue-type quorum}, as on a clustered broker: every service declares the pipeline's
 * queues and their dead-letter queues as quorum queues, and the pipeline runs on them unchanged. (A
 * single RabbitMQ node holds quorum queues of one member; the multi-node cluster test is separate.)
 */
class QuorumQueuesIT {
  private static final Duration READY = Duration.ofSeconds(30);

  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  @Test
  void theWholePipelineRunsOnQuorumQueues() throws Exception {
    String uri = rabbit.uri();
    ServiceProcess model = services.mlqueue("model", uri, "model", "--queue-type", "quorum");
    ServiceProcess metric =
        services.mlqueue(
            "metric", uri, "metric", "--queue-type", "quorum", "--log-dir", logDir.toString());
    model.awaitLog("model: consuming features", READY);
    metric.awaitLog("metric: consuming y_pred", READY);
    ServiceProcess features =
        services.mlqueue(
            "features",
            uri,
            "features",
            "--queue-type",
            "quorum",
            "--count",
            "500",
            "--rate",
            "500");
    features.awaitSuccess(Duration.ofSeconds(60));

    Path csv = logDir.resolve("metric_log.csv");
    CsvCheck.awaitExactRows(csv, 500, Duration.ofSeconds(60), () -> metric.tail(20));
    CsvCheck.assertValidLog(csv, 500);
    assertThat(rabbit.queueTypes())
        .containsEntry(Queues.FEATURES, "quorum")
        .containsEntry(Queues.Y_TRUE, "quorum")
        .containsEntry(Queues.Y_PRED, "quorum")
        .containsEntry(Queues.PREDICT, "quorum")
        .containsEntry(Queues.deadLetterQueue(Queues.FEATURES), "quorum");
    model.stopCleanly();
    metric.stopCleanly();
  }
}
