package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.Queues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The end-of-run check of every fault test: each pair sent is logged exactly once, and the broker
 * holds nothing any more — no queue, dead-letter queues included, keeps a ready or an unacked
 * message. It also prints one summary line per fault, {@code FAULT | <fault> | pairs … | lost … |
 * duplicated … | recovery …}, so a reader of the build output sees the figures without opening the
 * reports; the counts are printed before they are asserted, so a failing run shows them too.
 */
final class FaultCheck {
  /** How long the pipeline may take to log the last pairs once the fault is over. */
  static final Duration CATCH_UP = Duration.ofSeconds(90);

  private static final Duration QUEUES_EMPTY = Duration.ofSeconds(30);

  private FaultCheck() {}

  /**
   * Waits up to {@link #CATCH_UP} for {@code sent} rows in {@code csv}, prints the summary line of
   * {@code fault} with {@code recovery} (free text, e.g. {@code "kill → consuming 2.1 s"}), then
   * asserts: exactly {@code sent} rows, no id twice, every row a valid (y_true, y_pred) pair, and
   * every queue of the vhost empty, with nothing unacked. {@code context} supplies the services'
   * log tails for a failure message.
   */
  static void assertEachPairLoggedOnce(
      String fault,
      Path csv,
      long sent,
      RabbitMqVhost rabbit,
      String recovery,
      Supplier<String> context)
      throws Exception {
    // Not failing here when the rows do not come: the summary line below says how many are missing.
    waitForRows(csv, sent, CATCH_UP);
    // Redeliveries after a fault arrive within a second or two; give a duplicate row the chance to
    // show itself before counting.
    Thread.sleep(1_000);
    List<CsvCheck.Row> rows = CsvCheck.rows(csv);
    long distinct = CsvCheck.ids(rows).size();
    System.out.printf(
        "FAULT | %s | pairs %d | lost %d | duplicated %d | recovery %s%n",
        fault, sent, sent - distinct, rows.size() - distinct, recovery);
    assertThat(rows.size())
        .as("rows in %s for %d pairs sent%n%s", csv, sent, context.get())
        .isEqualTo(sent);
    CsvCheck.assertValidLog(csv, Math.toIntExact(sent));
    assertNoMessageLeft(rabbit);
  }

  /**
   * Waits until every queue of the vhost — the pipeline's three and their dead-letter queues — has
   * neither a ready nor an unacknowledged message; fails with the depths the broker reports.
   */
  static void assertNoMessageLeft(RabbitMqVhost rabbit) throws Exception {
    rabbit.awaitEmpty(QUEUES_EMPTY, Queues.FEATURES, Queues.Y_TRUE, Queues.Y_PRED);
    Map<String, RabbitMqVhost.QueueDepth> depths = new TreeMap<>(rabbit.queueDepths());
    assertThat(depths)
        .as("every queue of %s, dead-letter queues included", rabbit.name())
        .allSatisfy(
            (queue, depth) -> assertThat(depth.isEmpty()).as("%s: %s", queue, depth).isTrue());
  }

  /**
   * Waits until {@code csv} holds at least {@code rows} data rows; fails after {@code timeout} with
   * the count so far and {@code context}.
   */
  static void awaitRows(Path csv, long rows, Duration timeout, Supplier<String> context)
      throws InterruptedException {
    if (!waitForRows(csv, rows, timeout)) {
      throw new AssertionError(
          csv
              + " has "
              + CsvCheck.rowCount(csv)
              + " rows after "
              + timeout
              + ", expected "
              + rows
              + "\n"
              + context.get());
    }
  }

  /** Whether {@code csv} came to hold at least {@code rows} data rows within {@code timeout}. */
  static boolean waitForRows(Path csv, long rows, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (CsvCheck.rowCount(csv) < rows) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  /**
   * Rows of {@code csv} ended by a line break: unlike {@link CsvCheck#rowCount}, not counting a
   * last line cut short by a failed write, which metric repairs before it writes on.
   */
  static int completeRows(Path csv) throws IOException {
    byte[] bytes = Files.readAllBytes(csv);
    int lines = 0;
    for (byte b : bytes) {
      if (b == '\n') {
        lines++;
      }
    }
    return Math.max(0, lines - 1); // the header
  }

  /** Waits until {@link #completeRows} of {@code csv} reaches {@code rows}; fails after timeout. */
  static void awaitCompleteRows(Path csv, long rows, Duration timeout, Supplier<String> context)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (completeRows(csv) < rows) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            csv
                + " has "
                + completeRows(csv)
                + " complete rows after "
                + timeout
                + ", expected "
                + rows
                + "\n"
                + context.get());
      }
      Thread.sleep(50);
    }
  }

  /** The tails of {@code services}' logs, for failure messages. */
  static String tails(ServiceProcess... services) {
    StringBuilder text = new StringBuilder();
    for (ServiceProcess s : services) {
      text.append(s).append(":\n").append(s.tail(20)).append('\n');
    }
    return text.toString();
  }

  /** {@code 2.35 s}: a duration for the summary lines. */
  static String seconds(Duration d) {
    return String.format("%.2f s", d.toMillis() / 1000.0);
  }

  /** {@link #seconds(Duration)} since {@code startNanos}, a {@link System#nanoTime()} value. */
  static String secondsSince(long startNanos) {
    return seconds(Duration.ofNanos(System.nanoTime() - startNanos));
  }
}
