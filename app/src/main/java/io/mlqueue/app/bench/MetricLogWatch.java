package io.mlqueue.app.bench;

import io.mlqueue.metric.WrittenIds;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Follows a growing {@code metric_log.csv} cheaply (only the bytes added since the last look are
 * read and their line ends counted), and at the end checks it: rows, distinct ids, duplicates.
 */
final class MetricLogWatch {
  private final Path file;
  private long position;
  private long lines;
  private final byte[] buffer = new byte[1 << 16];

  MetricLogWatch(Path file) {
    this.file = file;
  }

  /** Data rows so far (the header not counted). */
  long rows() throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      in.seek(position);
      int n;
      while ((n = in.read(buffer)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            lines++;
          }
        }
        position += n;
      }
    }
    return Math.max(0, lines - 1);
  }

  /** What the log holds: rows, and how many distinct ids among them. */
  record Check(long rows, long distinctIds) {
    long duplicates() {
      return rows - distinctIds;
    }
  }

  Check check() throws IOException {
    if (!Files.exists(file)) {
      return new Check(0, 0);
    }
    // Streamed, and the ids kept as metric keeps them (128 bits for a UUID): a million-row log
    // read whole took more heap than the services are given.
    WrittenIds ids = new WrittenIds(Integer.MAX_VALUE);
    long rows = 0;
    try (BufferedReader in = Files.newBufferedReader(file)) {
      in.readLine(); // the header
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          continue;
        }
        rows++;
        ids.add(idOf(line));
      }
    }
    return new Check(rows, ids.size());
  }

  /** The first field of a row: ids with a comma are quoted by both writers. */
  private static String idOf(String line) {
    if (line.startsWith("\"")) {
      int end = line.indexOf("\",", 1);
      return end < 0 ? line : line.substring(0, end + 1);
    }
    int comma = line.indexOf(',');
    return comma < 0 ? line : line.substring(0, comma);
  }
}
