package io.mlqueue.metric;

import io.mlqueue.contract.MetricLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an existing {@code metric_log.csv} when {@link MetricLogWriter} opens it: hands over every
 * row and finds where the intact part of the file ends, so a line torn by a crash can be cut off.
 *
 * <p>Works on bytes rather than characters because the cut needs a byte offset; splitting on {@code
 * '\n'} is safe in UTF-8, where that byte never occurs inside a multi-byte character.
 */
final class MetricLogScan {
  private static final Logger LOG = LoggerFactory.getLogger(MetricLogScan.class);

  /**
   * What the scan found.
   *
   * @param intactEnd the byte offset just after the last line worth keeping (the header or a row);
   *     everything after it is a torn tail
   * @param hasHeader whether the file starts with the header line
   * @param rows how many rows were read
   */
  record Result(long intactEnd, boolean hasHeader, long rows) {}

  private final String source;
  private final Consumer<MetricLog.Row> rows;
  private long intactEnd;
  private boolean hasHeader;
  private long rowCount;
  private long lineNumber;
  // Unparseable lines seen since the last good row: skipped if a good row follows, else the tail.
  private long unparsedSince;

  private MetricLogScan(String source, Consumer<MetricLog.Row> rows) {
    this.source = source;
    this.rows = rows;
  }

  /**
   * Scans {@code in} from its start, passing each row to {@code rows}. Throws {@link IOException}
   * when the first complete line is not the header: that file is not ours to append to.
   */
  static Result scan(InputStream in, String source, Consumer<MetricLog.Row> rows)
      throws IOException {
    MetricLogScan scan = new MetricLogScan(source, rows);
    byte[] buffer = new byte[1 << 16];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    long offset = 0;
    int n;
    while ((n = in.read(buffer)) > 0) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buffer[i] == '\n') {
          line.write(buffer, start, i - start);
          scan.completeLine(line.toString(StandardCharsets.UTF_8), offset + i + 1);
          line.reset();
          start = i + 1;
        }
      }
      line.write(buffer, start, n - start);
      offset += n;
    }
    // Bytes left in `line` have no line break: a torn write, beyond intactEnd by construction.
    return new Result(scan.intactEnd, scan.hasHeader, scan.rowCount);
  }

  private void completeLine(String raw, long end) throws IOException {
    lineNumber++;
    String text = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
    if (lineNumber == 1) {
      if (!MetricLog.isHeader(text)) { // quoted names too, as pandas' QUOTE_ALL or R writes them
        throw new IOException(
            source + " is not a metric log: its first line is not '" + MetricLog.HEADER + "'");
      }
      hasHeader = true;
      intactEnd = end;
      return;
    }
    if (text.isBlank()) {
      return;
    }
    MetricLog.Row row;
    try {
      row = MetricLog.parse(text);
    } catch (IllegalArgumentException e) {
      if (unparsedSince == 0) {
        unparsedSince = lineNumber;
      }
      return;
    }
    if (unparsedSince != 0) {
      // Not at the end, so not a torn write: keep the lines (they are not ours to delete) but count
      // nothing from them.
      LOG.warn("{}: skipping unparseable lines {}..{}", source, unparsedSince, lineNumber - 1);
      unparsedSince = 0;
    }
    rows.accept(row);
    rowCount++;
    intactEnd = end;
  }
}
