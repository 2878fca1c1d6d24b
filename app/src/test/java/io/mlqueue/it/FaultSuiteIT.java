package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model worker killed again and again in the middle of a stream of 20,000 pairs on the real
 * RabbitMQ. Afterwards each pair sent is logged exactly once and no queue holds a message ({@link
 * FaultCheck}); the test prints one {@code FAULT | …} summary line. The other faults of the suite:
 * {@link CrashRecoveryIT}, {@link SigtermAtFullSpeedIT}, {@link MetricDiskFullIT}, {@link
 * BrokerRestartIT}, {@link BrokerDownAtStartIT}.
 */
class FaultSuiteIT {
  private static final int PAIRS = 20_000;
  private static final Duration READY = Duration.ofSeconds(30);

  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  /**
   * SIGKILL of the model worker three times while features streams, each at a random moment and
   * each followed by a restart, as a container restart policy would. The moments come from a seed
   * printed at the start; {@code -Dfaults.seed=N} replays a run.
   */
  @Test
  void modelKilledThreeTimes() throws Exception {
    long seed = Long.getLong("faults.seed", System.nanoTime());
    System.out.printf(
        "modelKilledThreeTimes: seed %d (replay with -Dfaults.seed=%d)%n", seed, seed);
    Random random = new Random(seed);
    Path csv = logDir.resolve("metric_log.csv");
    Workers workers = Workers.start(services, rabbit.uri(), logDir, 1);
    ServiceProcess model = workers.model();
    ServiceProcess metric = workers.metric();
    // 1,000 pairs a second: a 20 s stream, long enough for three kills and restarts within it.
    ServiceProcess features =
        services.mlqueue(
            "features", rabbit.uri(), "features", "--count", "" + PAIRS, "--rate", "1000");

    List<String> recoveries = new ArrayList<>();
    for (int kill = 1; kill <= 3; kill++) {
      // The (restarted) model is working: rows keep coming. Then a random 0.2–1.5 s more.
      int rowsBefore = CsvCheck.rowCount(csv);
      ServiceProcess m = model;
      FaultCheck.awaitRows(csv, rowsBefore + 200, READY, () -> FaultCheck.tails(m, metric));
      Thread.sleep(200 + random.nextInt(1_300));
      assertThat(features.isAlive()).as("features still sending at kill %d", kill).isTrue();
      model.kill();
      long killedAt = System.nanoTime();
      System.out.printf(
          "modelKilledThreeTimes: SIGKILL %d of model (pid %d) at %d rows%n",
          kill, model.pid(), CsvCheck.rowCount(csv));
      model = startModel("model-" + (kill + 1));
      recoveries.add(FaultCheck.secondsSince(killedAt));
    }
    features.awaitSuccess(Duration.ofSeconds(90));
    long streamEnd = System.nanoTime();

    ServiceProcess m = model;
    // Timed here for the summary; the check below fails if the rows never come.
    FaultCheck.waitForRows(csv, PAIRS, FaultCheck.CATCH_UP);
    FaultCheck.assertEachPairLoggedOnce(
        "model SIGKILLed 3 times, restarted",
        csv,
        PAIRS,
        rabbit,
        "kill → consuming again "
            + String.join(", ", recoveries)
            + "; last row "
            + FaultCheck.secondsSince(streamEnd)
            + " after the stream ended",
        () -> FaultCheck.tails(m, metric));
    model.stopCleanly();
    metric.stopCleanly();
  }

  private ServiceProcess startModel(String name) throws Exception {
    ServiceProcess model = services.mlqueue(name, rabbit.uri(), "model");
    model.awaitLog("model: consuming features", READY);
    return model;
  }
}
