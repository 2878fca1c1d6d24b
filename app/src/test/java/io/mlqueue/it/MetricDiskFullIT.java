package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.Queues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * metric's log directory becomes unwritable in the middle of a stream: the disk fills up. metric
 * must not ack a pair it could not log, must say why, must stay up, and must log every pair once
 * the disk has room again — none lost, none twice.
 *
 * <p>The log directory is a small tmpfs of its own ({@link TmpfsMount}), filled with a filler file
 * so writes fail with "No space left on device": root, which CI runs as, ignores file permissions,
 * so a {@code chmod} would not stop it.
 */
class MetricDiskFullIT {
  private static final int PAIRS = 20_000;
  private static final Duration READY = Duration.ofSeconds(30);

  /** Room for about 100,000 rows: the filler, not the log, is what fills it. */
  @RegisterExtension
  @Order(0)
  final TmpfsMount disk = new TmpfsMount("8m");

  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @Test
  void metricStopsAckingWhileTheDiskIsFullAndCatchesUpOnceFreed() throws Exception {
    Path logDir = disk.dir().resolve("logs");
    Path csv = logDir.resolve("metric_log.csv");
    ServiceProcess model = services.mlqueue("model", rabbit.uri(), "model");
    ServiceProcess metric =
        services.mlqueue("metric", rabbit.uri(), "metric", "--log-dir", logDir.toString());
    model.awaitLog("model: consuming features", READY);
    metric.awaitLog("metric: consuming y_pred", READY);
    ServiceProcess features =
        services.mlqueue(
            "features", rabbit.uri(), "features", "--count", "" + PAIRS, "--rate", "4000");

    FaultCheck.awaitRows(csv, 3_000, READY, () -> FaultCheck.tails(model, metric));
    long filler = disk.fill();
    System.out.printf(
        "metricDiskFull: filled the log disk with %d bytes at %d rows%n",
        filler, CsvCheck.rowCount(csv));
    // metric's appends go on into the rest of the file's last page, then fail.
    metric.awaitLog("No space left on device", READY);
    features.awaitSuccess(Duration.ofSeconds(90));

    // While the disk is full: no row is added, every pair not logged is still in the broker, and
    // metric is alive.
    int rowsWhileFull = FaultCheck.completeRows(csv);
    Thread.sleep(2_000);
    assertThat(FaultCheck.completeRows(csv))
        .as("rows while the disk is full")
        .isEqualTo(rowsWhileFull);
    assertThat(rowsWhileFull).as("rows logged before the disk filled up").isLessThan(PAIRS);
    Map<String, RabbitMqVhost.QueueDepth> depths = rabbit.queueDepths();
    RabbitMqVhost.QueueDepth yTrue = depths.get(Queues.Y_TRUE);
    System.out.printf(
        "metricDiskFull: while full, %d rows logged; y_true %s, y_pred %s, features %s%n",
        rowsWhileFull, yTrue, depths.get(Queues.Y_PRED), depths.get(Queues.FEATURES));
    // y_true is acked only with its row: one message per pair not logged, ready or held by metric.
    assertThat(yTrue.ready() + yTrue.unacked())
        .as("y_true messages kept for the %d pairs not logged", PAIRS - rowsWhileFull)
        .isGreaterThanOrEqualTo(PAIRS - rowsWhileFull);
    assertThat(metric.isAlive()).as("metric stays up while its disk is full").isTrue();
    assertThat(metric.output())
        .as("metric reports why it cannot log")
        .contains("metric: cannot write " + csv)
        .contains("No space left on device");
    assertThat(metric.output())
        .as("metric reports the outage once, not once per retry")
        .containsOnlyOnce("metric: cannot write")
        .doesNotContain("written again after");

    disk.free();
    long freedAt = System.nanoTime();
    FaultCheck.awaitCompleteRows(
        csv, rowsWhileFull + 1, READY, () -> FaultCheck.tails(model, metric));
    String firstRow = FaultCheck.secondsSince(freedAt);
    // Timed here for the summary; the check below fails if the rows never come.
    FaultCheck.waitForRows(csv, PAIRS, FaultCheck.CATCH_UP);
    String caughtUp = FaultCheck.secondsSince(freedAt);
    metric.awaitLog("written again after", READY);

    FaultCheck.assertEachPairLoggedOnce(
        "metric's log disk full, then freed",
        csv,
        PAIRS,
        rabbit,
        "disk freed → first new row "
            + firstRow
            + ", all "
            + (PAIRS - rowsWhileFull)
            + " waiting pairs logged "
            + caughtUp,
        () -> FaultCheck.tails(model, metric));
    model.stopCleanly();
    metric.stopCleanly();
  }
}
