package io.mlqueue.plot;

import io.mlqueue.contract.MetricLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes rows into a test's {@code metric_log.csv} the way metric does: header first, appended. */
final class MetricLogRows {
  private MetricLogRows() {}

  /**
   * Appends rows {@code r<from>} to {@code r<to - 1>} with y_true 100 and an absolute error of
   * {@code (i % cycle) * step}, so the errors spread over a known range.
   */
  static void append(Path dir, int from, int to, int cycle, double step) throws IOException {
    Path log = dir.resolve(MetricLog.FILE_NAME);
    StringBuilder text = new StringBuilder();
    if (!Files.exists(log)) {
      text.append(MetricLog.HEADER).append('\n');
    }
    for (int i = from; i < to; i++) {
      text.append(MetricLog.format(MetricLog.Row.of("r" + i, 100, 100 + (i % cycle) * step)))
          .append('\n');
    }
    Files.writeString(
        log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
