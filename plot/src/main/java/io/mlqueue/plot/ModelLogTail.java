package io.mlqueue.plot;

import io.mlqueue.contract.ModelLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Follows {@code model_log.csv} (every model's rows, written by {@code metric --model-log}) into a
 * {@link ModelWindows}, as {@link MetricLogTail} follows the course's log: whole appended lines
 * only, the file read again from its start when it shrank or was replaced, and then the windows
 * cleared first so that no row counts twice in them. A missing file is an empty log.
 *
 * <p>Thread-safe: {@link #poll()} synchronizes on the instance.
 */
final class ModelLogTail {

  private final ModelWindows windows;
  private final AppendedLines lines;
  private int added;
  private boolean exists;

  ModelLogTail(Path csv, ModelWindows windows) {
    this.windows = Objects.requireNonNull(windows, "windows");
    this.lines = new AppendedLines(csv, new Rows());
  }

  /** Reads the rows appended since the last poll; returns how many. */
  synchronized int poll() throws IOException {
    added = 0;
    exists = lines.poll().fileExists();
    return added;
  }

  /** Whether the file existed at the last poll. */
  synchronized boolean exists() {
    return exists;
  }

  Path path() {
    return lines.path();
  }

  private final class Rows implements AppendedLines.Handler {
    @Override
    public boolean accept(String line) {
      if (ModelLog.isHeader(line)) {
        return true;
      }
      ModelLog.Row row;
      try {
        row = ModelLog.parse(line);
      } catch (IllegalArgumentException e) {
        return false;
      }
      windows.add(row);
      added++;
      return true;
    }

    @Override
    public void restart() {
      windows.clearWindows();
      added = 0;
    }
  }
}
