package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.Queues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM, as an orchestrator stops a service, to every service while features sends as fast as it
 * can: each drains what it holds and exits 0 within a bound, and once restarted the pipeline logs
 * every pair features sent exactly once, with no queue holding a message ({@link FaultCheck}).
 */
class SigtermAtFullSpeedIT {
  private static final int PAIRS = 20_000;
  private static final Duration READY = Duration.ofSeconds(30);

  /** A service stopped with SIGTERM must have drained and exited within this. */
  private static final Duration STOP_BOUND = Duration.ofSeconds(15);

  /** Far below the backlog the test builds: halves merely waiting must not be evicted. */
  private static final int MAX_PENDING = 2_000;

  private static final Pattern FEATURES_DONE =
      Pattern.compile("features: done, (\\d+) pairs sent, (\\d+) messages confirmed");

  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  /**
   * SIGTERM at full speed, to each service while it has the most in hand:
   *
   * <ol>
   *   <li>model and metric together while features sends as fast as it can and keeps going;
   *   <li>features, once the broker holds 20,000 pairs: it stops sending, waits for the broker's
   *       confirms and reports what it sent;
   *   <li>the restarted model and metric together again, while they work through the backlog flat
   *       out.
   * </ol>
   *
   * Each drains what it holds and exits 0 within {@link #STOP_BOUND}; after the last restart every
   * pair features reported is logged exactly once.
   */
  @Test
  void sigtermAtFullSpeedDrainsAndLosesNothing() throws Exception {
    Path csv = logDir.resolve("metric_log.csv");
    // With model and metric down while features sends flat out, y_true runs some 15,000 pairs
    // ahead of y_pred. Over --max-pending, metric evicts only halves the other stream has moved
    // past (by sent_at): these are merely waiting, so none may be dead-lettered, even with a bound
    // far below the backlog.
    String[] smallBuffer = {"--max-pending", "" + MAX_PENDING};
    Workers first = Workers.start(services, rabbit.uri(), logDir, 1, smallBuffer);
    // No --count, no --rate: until stopped, as fast as the broker confirms.
    ServiceProcess features = services.mlqueue("features", rabbit.uri(), "features");
    FaultCheck.awaitRows(csv, 3_000, READY, () -> FaultCheck.tails(first.all(features)));
    List<String> stops = stopTogether(first.model(), first.metric());

    // Stopped by what it has sent rather than by time, so the stream is 20,000 pairs or a little
    // more however fast this machine is.
    awaitPairsInBroker(csv, PAIRS, Duration.ofSeconds(120));
    assertThat(features.isAlive()).as("features still sending when it is stopped").isTrue();
    stops.addAll(stopTogether(features));
    Matcher done = FEATURES_DONE.matcher(features.output());
    assertThat(done.find()).as("features reports what it sent:%n%s", features.tail(20)).isTrue();
    long sent = Long.parseLong(done.group(1));
    long confirmed = Long.parseLong(done.group(2));
    assertThat(confirmed)
        .as("messages the broker confirmed: a features and a y_true message per pair")
        .isEqualTo(2 * sent);
    assertThat(sent).as("pairs sent").isGreaterThanOrEqualTo(PAIRS);

    long restartAt = System.nanoTime();
    Workers second = Workers.start(services, rabbit.uri(), logDir, 2, smallBuffer);
    String restart = FaultCheck.secondsSince(restartAt);
    int rowsAtRestart = CsvCheck.rowCount(csv);
    long halfway = rowsAtRestart + (sent - rowsAtRestart) / 2;
    FaultCheck.awaitRows(
        csv, halfway, Duration.ofSeconds(60), () -> FaultCheck.tails(second.all()));
    stops.addAll(stopTogether(second.model(), second.metric()));

    Workers third = Workers.start(services, rabbit.uri(), logDir, 3, smallBuffer);
    FaultCheck.assertEachPairLoggedOnce(
        "SIGTERM at full speed (model+metric, features, model+metric)",
        csv,
        sent,
        rabbit,
        "SIGTERM → exit 0 in " + String.join(", ", stops) + "; restart → consuming " + restart,
        () -> FaultCheck.tails(third.all()));
    third.model().stopCleanly();
    third.metric().stopCleanly();
  }

  /**
   * Waits until at least {@code pairs} pairs are confirmed by the broker: logged, or with their
   * y_true still in its queue (y_true is acked only with the pair's row). Counts rows first, so a
   * pair logged in between is missed rather than counted twice.
   */
  private void awaitPairsInBroker(Path csv, long pairs, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long rows = CsvCheck.rowCount(csv);
      RabbitMqVhost.QueueDepth yTrue =
          rabbit.queueDepths().getOrDefault(Queues.Y_TRUE, new RabbitMqVhost.QueueDepth(0, 0));
      if (rows + yTrue.ready() + yTrue.unacked() >= pairs) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            rows
                + " rows and "
                + yTrue
                + " in y_true after "
                + timeout
                + ", expected "
                + pairs
                + " pairs");
      }
      Thread.sleep(200);
    }
  }

  /**
   * Sends SIGTERM to all of {@code processes} at once and waits for them in parallel; asserts each
   * exits 0 within {@link #STOP_BOUND}. Returns {@code "<name> <seconds>"} per process.
   */
  private static List<String> stopTogether(ServiceProcess... processes) throws Exception {
    List<Future<String>> stopping = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (ServiceProcess p : processes) {
        stopping.add(
            pool.submit(
                () -> {
                  long start = System.nanoTime();
                  int code = p.stop(STOP_BOUND);
                  String took = FaultCheck.secondsSince(start);
                  assertThat(code)
                      .as("exit code of %s after SIGTERM; its log ends:%n%s", p, p.tail(20))
                      .isZero();
                  return p.name() + " " + took;
                }));
      }
    }
    List<String> took = new ArrayList<>();
    for (Future<String> f : stopping) {
      try {
        took.add(f.get());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof AssertionError failed) {
          throw failed;
        }
        throw e;
      }
    }
    System.out.println("sigtermAtFullSpeed: stopped " + String.join(", ", took));
    return took;
  }
}
