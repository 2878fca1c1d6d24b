package io.mlqueue.plot;

import io.mlqueue.contract.MetricLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code metric_log.csv} as the metric service appends to it, keeping every {@code
 * absolute_error} in a growable {@code double[]} (8 bytes a row, no boxing).
 *
 * <p>Each {@link #poll()} parses only the complete lines appended since the last one: a last line
 * without its line break is being written right now, so it is left for the next poll. When the file
 * shrank, was replaced (another file key, the inode on Unix), or no longer has a line break just
 * before the saved offset (rewritten in place), everything is read again from the start. A missing
 * file is an empty log. Header lines and blank lines are skipped; unparseable lines are counted and
 * reported in one log line per poll rather than one per line.
 *
 * <p>Thread-safe: methods synchronize on the instance.
 */
public final class MetricLogTail {

  private static final Logger log = LoggerFactory.getLogger(MetricLogTail.class);
  private static final int CHUNK = 64 * 1024;
  // Rows are well under 200 bytes; a longer "line" is garbage, and buffering it whole could exhaust
  // the heap on a multi-gigabyte file without line breaks.
  private static final int MAX_LINE = 1024 * 1024;
  private static final int SAMPLE_CHARS = 120;

  private final Path path;
  private double[] errors = new double[1024];
  private int size;
  private long offset;
  private Object fileKey;
  private boolean discarding;
  private long lineNumber;
  private long badLines;

  /** A tail of {@code csv}, which need not exist yet. */
  public MetricLogTail(Path csv) {
    this.path = Objects.requireNonNull(csv, "csv");
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
    return path;
  }

  /** Reads the complete lines appended since the last poll. */
  public synchronized Update poll() throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      boolean hadAny = offset > 0 || size > 0;
      restart("is gone");
      fileKey = null;
      return new Update(0, 0, hadAny, false);
    }
    boolean restarted = false;
    if (offset > 0 && attributes.size() < offset) {
      restarted = restart("shrank");
    } else if (offset > 0 && !Objects.equals(attributes.fileKey(), fileKey)) {
      restarted = restart("was replaced");
    }
    fileKey = attributes.fileKey();
    if (attributes.size() == offset) {
      return new Update(0, 0, restarted, true);
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      if (offset > 0 && !discarding && !lineBreakBefore(channel, offset)) {
        restarted = restart("was rewritten");
      }
      int before = size;
      ReadStats read = readFrom(channel);
      if (read.bad > 0) {
        log.warn(
            "{}: skipped {} unparseable line(s) ({} so far), first at line {}: {}",
            path.getFileName(),
            read.bad,
            badLines,
            read.firstBadLine,
            read.firstBadSample);
      }
      return new Update(size - before, read.bad, restarted, true);
    }
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
    return offset;
  }

  /** Unparseable lines seen since the tail was created, across restarts. */
  public synchronized long badLines() {
    return badLines;
  }

  private boolean restart(String why) {
    if (offset > 0 || size > 0) {
      log.info("{} {}; reading it again from the start", path.getFileName(), why);
    }
    // Drop a big array too: the new file may be far smaller than the old one.
    errors = new double[1024];
    size = 0;
    offset = 0;
    discarding = false;
    lineNumber = 0;
    return true;
  }

  private static boolean lineBreakBefore(FileChannel channel, long position) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    return channel.read(one, position - 1) == 1 && one.get(0) == '\n';
  }

  /** Parses whole lines from {@link #offset} up to the file's current end, advancing the offset. */
  private ReadStats readFrom(FileChannel channel) throws IOException {
    ReadStats stats = new ReadStats();
    // Stop at the size seen now, so a writer appending fast cannot keep one poll going forever.
    long end = channel.size();
    long position = offset;
    byte[] buffer = new byte[CHUNK];
    int filled = 0;
    while (position < end) {
      if (filled == buffer.length) {
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
      int want = (int) Math.min(buffer.length - filled, end - position);
      int read = channel.read(ByteBuffer.wrap(buffer, filled, want), position);
      if (read < 0) {
        break; // truncated while reading; the next poll notices the smaller size
      }
      position += read;
      int scanFrom = filled;
      filled += read;
      int lineStart = 0;
      for (int i = scanFrom; i < filled; i++) {
        if (buffer[i] == '\n') {
          if (discarding) {
            discarding = false;
          } else {
            accept(buffer, lineStart, i, stats);
          }
          lineStart = i + 1;
        }
      }
      offset += lineStart;
      filled -= lineStart;
      System.arraycopy(buffer, lineStart, buffer, 0, filled);
      if (filled >= MAX_LINE) {
        // Skip the rest of this over-long line, across polls if need be.
        lineNumber++;
        bad(stats, new String(buffer, 0, SAMPLE_CHARS, StandardCharsets.UTF_8) + "…");
        offset += filled;
        filled = 0;
        discarding = true;
        buffer = new byte[CHUNK];
      }
    }
    return stats;
  }

  private void accept(byte[] buffer, int from, int to, ReadStats stats) {
    lineNumber++;
    if (to > from && buffer[to - 1] == '\r') {
      to--;
    }
    if (to == from) {
      return;
    }
    String line = new String(buffer, from, to - from, StandardCharsets.UTF_8);
    if (line.charAt(0) == '\uFEFF') {
      line = line.substring(1);
    }
    // A header may also appear mid-file when a writer restarted and appended a fresh one; its
    // names may be quoted, as by Python's csv.QUOTE_ALL.
    if (MetricLog.isHeader(line)) {
      return;
    }
    double error;
    try {
      error = MetricLog.parse(line).absoluteError();
    } catch (IllegalArgumentException e) {
      bad(stats, line);
      return;
    }
    if (!(error >= 0) || Double.isInfinite(error)) {
      bad(stats, line); // NaN, negative or infinite: not an absolute error; would break the bins
      return;
    }
    if (size == errors.length) {
      errors = Arrays.copyOf(errors, errors.length + (errors.length >> 1));
    }
    errors[size++] = error;
  }

  private void bad(ReadStats stats, String line) {
    badLines++;
    if (stats.bad++ == 0) {
      stats.firstBadLine = lineNumber;
      stats.firstBadSample =
          line.length() > SAMPLE_CHARS ? line.substring(0, SAMPLE_CHARS) + "…" : line;
    }
  }

  private static final class ReadStats {
    int bad;
    long firstBadLine;
    String firstBadSample;
  }
}
