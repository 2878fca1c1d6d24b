package io.mlqueue.plot;

import io.mlqueue.contract.MetricLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Follows {@code metric_log.csv} as the metric service appends to it, keeping every {@code
 * absolute_error} in a growable {@code double[]} (8 bytes a row, no boxing).
 *
 * <p>Each {@link #poll()} parses only the complete lines appended since the last one, and reads the
 * file again from the start when it shrank, was replaced or rewritten ({@link AppendedLines}). A
 * missing file is an empty log. Header lines (also mid-file, quoted or not) and blank lines are
 * skipped; unparseable lines are counted and reported in one log line per poll rather than one per
 * line.
 *
 * <p>Thread-safe: methods synchronize on the instance.
 */
public final class MetricLogTail {

  private final AppendedLines lines;
  private double[] errors = new double[1024];
  private int size;
  private int added;

  /** A tail of {@code csv}, which need not exist yet. */
  public MetricLogTail(Path csv) {
    this.lines = new AppendedLines(csv, new Rows());
  }

  /**
   * What one {@link #poll()} found.
   *
   * @param rowsAdded rows parsed and kept
   * @param badLines lines that were not rows of the metric log
   * @param restarted whether the earlier rows were dropped (file shrank, replaced, rewritten or
   *     gone)
   * @param fileExists whether the file exists
   */
  public record Update(int rowsAdded, int badLines, boolean restarted, boolean fileExists) {}

  public Path path() {
    return lines.path();
  }

  /** Reads the complete lines appended since the last poll. */
  public synchronized Update poll() throws IOException {
    added = 0;
    AppendedLines.Poll poll = lines.poll();
    return new Update(added, poll.badLines(), poll.restarted(), poll.fileExists());
  }

  /** Number of rows kept. */
  public synchronized int size() {
    return size;
  }

  /** A copy of the absolute errors kept, in file order. */
  public synchronized double[] errors() {
    return Arrays.copyOf(errors, size);
  }

  /** Byte offset just past the last line consumed. */
  public synchronized long offset() {
    return lines.offset();
  }

  /** Unparseable lines seen since the tail was created, across restarts. */
  public synchronized long badLines() {
    return lines.badLines();
  }

  /** Called by {@link #lines} under the lock of {@link #poll()}. */
  private final class Rows implements AppendedLines.Handler {
    @Override
    public boolean accept(String line) {
      // A header may also appear mid-file when a writer restarted and appended a fresh one; its
      // names may be quoted, as by Python's csv.QUOTE_ALL.
      if (MetricLog.isHeader(line)) {
        return true;
      }
      double error;
      try {
        error = MetricLog.parse(line).absoluteError();
      } catch (IllegalArgumentException e) {
        return false;
      }
      if (!(error >= 0) || Double.isInfinite(error)) {
        return false; // NaN, negative or infinite: not an absolute error; would break the bins
      }
      if (size == errors.length) {
        errors = Arrays.copyOf(errors, errors.length + (errors.length >> 1));
      }
      errors[size++] = error;
      added++;
      return true;
    }

    @Override
    public void restart() {
      // Drop a big array too: the new file may be far smaller than the old one.
      errors = new double[1024];
      size = 0;
      added = 0;
    }
  }
}
