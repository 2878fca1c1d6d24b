package io.mlqueue.plot;

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
 * Follows a log file as a writer appends lines to it, handing each complete line to a {@link
 * Handler}: what {@link MetricLogTail} and {@link ModelLogTail} share.
 *
 * <p>Each {@link #poll()} reads only the complete lines appended since the last one: a last line
 * without its line break is being written right now, so it is left for the next poll. When the file
 * shrank, was replaced (another file key, the inode on Unix), or no longer has a line break just
 * before the saved offset (rewritten in place), the handler is told to {@linkplain
 * Handler#restart() start over} and everything is read again from the start. A missing file is an
 * empty log. Blank lines are skipped, a CR before the line break and a byte order mark are removed;
 * lines the handler refuses are counted and reported in one log line per poll rather than one per
 * line.
 *
 * <p>Not thread-safe: its owner polls it under its own lock.
 */
final class AppendedLines {

  /** What is done with the lines. */
  interface Handler {
    /**
     * Takes one line: no line break, CR or byte order mark, never empty.
     *
     * @return false when the line is neither a header nor a row of the log
     */
    boolean accept(String line);

    /** The file is read again from its start (or is gone): forget every line taken so far. */
    void restart();
  }

  /**
   * What one {@link #poll()} found.
   *
   * @param badLines lines the handler refused
   * @param restarted whether the earlier lines were dropped (file shrank, replaced, rewritten or
   *     gone)
   * @param fileExists whether the file exists
   */
  record Poll(int badLines, boolean restarted, boolean fileExists) {}

  private static final Logger log = LoggerFactory.getLogger(AppendedLines.class);
  private static final int CHUNK = 64 * 1024;
  // Rows are well under 200 bytes; a longer "line" is garbage, and buffering it whole could exhaust
  // the heap on a multi-gigabyte file without line breaks.
  private static final int MAX_LINE = 1024 * 1024;
  private static final int SAMPLE_CHARS = 120;

  private final Path path;
  private final Handler handler;
  private long offset;
  private Object fileKey;
  private boolean discarding;
  private long lineNumber;
  private long badLines;
  private boolean hadLines;

  AppendedLines(Path path, Handler handler) {
    this.path = Objects.requireNonNull(path, "path");
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  Path path() {
    return path;
  }

  /** Byte offset just past the last line consumed. */
  long offset() {
    return offset;
  }

  /** Refused lines since this was created, across restarts. */
  long badLines() {
    return badLines;
  }

  /** Reads the complete lines appended since the last poll. */
  Poll poll() throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      boolean hadAny = offset > 0 || hadLines;
      restart("is gone");
      fileKey = null;
      return new Poll(0, hadAny, false);
    }
    boolean restarted = false;
    if (offset > 0 && attributes.size() < offset) {
      restarted = restart("shrank");
    } else if (offset > 0 && !Objects.equals(attributes.fileKey(), fileKey)) {
      restarted = restart("was replaced");
    }
    fileKey = attributes.fileKey();
    if (attributes.size() == offset) {
      return new Poll(0, restarted, true);
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      if (offset > 0 && !discarding && !lineBreakBefore(channel, offset)) {
        restarted = restart("was rewritten");
      }
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
      return new Poll(read.bad, restarted, true);
    }
  }

  private boolean restart(String why) {
    if (offset > 0 || hadLines) {
      log.info("{} {}; reading it again from the start", path.getFileName(), why);
    }
    handler.restart();
    hadLines = false;
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
      if (line.isEmpty()) {
        return;
      }
    }
    if (handler.accept(line)) {
      hadLines = true;
    } else {
      bad(stats, line);
    }
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
