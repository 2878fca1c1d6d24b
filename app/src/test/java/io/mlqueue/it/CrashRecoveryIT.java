package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * At-least-once delivery plus idempotent logging, end to end: a service killed with SIGKILL in the
 * middle of a stream (no shutdown hook, no drain, unacked messages in flight, maybe a row flushed
 * whose acks never left) loses nothing and duplicates nothing once it is restarted.
 */
class CrashRecoveryIT {
  private static final int PAIRS = 20_000;
  private static final Duration READY = Duration.ofSeconds(30);

  // Ordered: processes are started after the vhost exists and killed before it is deleted.
  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  @Test
  void modelKilledMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
    runStreamAndCrash("model");
  }

  @Test
  void metricKilledMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
    runStreamAndCrash("metric");
  }

  /**
   * Streams {@link #PAIRS} pairs in durable mode at 2,500 a second and SIGKILLs {@code victim}
   * part-way through.
   */
  private void runStreamAndCrash(String victim) throws Exception {
    String uri = rabbit.uri();
    Path csv = logDir.resolve("metric_log.csv");
    ServiceProcess model = startModel("model");
    ServiceProcess metric = startMetric("metric");

    ServiceProcess features =
        services.mlqueue("features", uri, "features", "--count", "" + PAIRS, "--rate", "2500");

    // Mid-stream: rows are being logged and features is still sending, so the victim holds
    // unacked deliveries (up to its prefetch) and, for model, confirmed predictions whose inputs
    // were not yet acked.
    ServiceProcess m0 = model;
    ServiceProcess t0 = metric;
    FaultCheck.awaitRows(csv, 3_000, Duration.ofSeconds(60), () -> FaultCheck.tails(m0, t0));
    assertThat(features.isAlive()).as("features still sending when the crash happens").isTrue();
    ServiceProcess dead = victim.equals("model") ? model : metric;
    dead.kill();
    long killedAt = System.nanoTime();
    int rowsAtCrash = CsvCheck.rowCount(csv);
    assertThat(rowsAtCrash).as("rows logged when %s was killed", victim).isLessThan(PAIRS);

    // Like a container restart policy: the same command again, a moment later.
    ServiceProcess restarted =
        victim.equals("model") ? startModel("model-restarted") : startMetric("metric-restarted");
    String recovery = "kill → consuming again " + FaultCheck.secondsSince(killedAt);
    if (victim.equals("model")) {
      model = restarted;
    } else {
      metric = restarted;
    }
    features.awaitSuccess(Duration.ofSeconds(90));
    if (victim.equals("metric")) {
      // The restarted metric found the rows its predecessor flushed and will not log them again.
      assertThat(restarted.output()).containsPattern("already holds [1-9][0-9]* rows");
    }

    ServiceProcess m = model;
    ServiceProcess t = metric;
    // Everything was acked: nothing ready, nothing held unacked by the live consumers, nothing
    // dead-lettered by the crash.
    FaultCheck.assertEachPairLoggedOnce(
        victim + " SIGKILLed once, restarted",
        csv,
        PAIRS,
        rabbit,
        recovery,
        () -> FaultCheck.tails(m, t));

    model.stopCleanly();
    metric.stopCleanly();
  }

  private ServiceProcess startModel(String name) throws Exception {
    ServiceProcess model = services.mlqueue(name, rabbit.uri(), "model");
    model.awaitLog("model: consuming features", READY);
    return model;
  }

  private ServiceProcess startMetric(String name) throws Exception {
    ServiceProcess metric =
        services.mlqueue(name, rabbit.uri(), "metric", "--log-dir", logDir.toString());
    metric.awaitLog("metric: consuming y_pred", READY);
    return metric;
  }
}
