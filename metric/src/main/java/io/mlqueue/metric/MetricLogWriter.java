package io.mlqueue.metric;

import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends rows to {@code <dir>/metric_log.csv}, at most one row per id, and survives crashes: on
 * open it cuts off a line torn by a crash mid-write and reloads the ids already written, so a
 * message redelivered after a restart does not produce a second row.
 *
 * <p>Rows are buffered; {@link #flush} hands them to the operating system, and the service acks the
 * messages of a row only after that. Appending several rows and flushing once is cheaper than one
 * flush per row, and just as safe as long as the acks wait for the flush.
 *
 * <p>Ids are compared by the text of the id column, because that is all the file keeps: a numeric
 * id {@code 1} and a string id {@code "1"} count as the same id and only the first gets a row. The
 * memory of written ids is bounded (see {@link WrittenIds}), so a redelivery older than that window
 * would get a second row.
 *
 * <p>Not thread-safe: use it from one thread or under one lock.
 */
public final class MetricLogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricLogWriter.class);
  private static final int BUFFER_CHARS = 1 << 16;

  /**
   * Options of a {@link MetricLogWriter}.
   *
   * @param force whether {@link #flush} also forces the file to the storage device. Off, a flushed
   *     row survives a crash of the process or container but may be lost on a power failure or
   *     kernel crash, after its messages were acked. On, it survives those too, at the price of a
   *     disk sync per flush: about a millisecond on a local SSD, tens of milliseconds on a spinning
   *     disk or network volume, which caps the rate of one-row batches accordingly.
   * @param writtenIdsCapacity how many recent ids are remembered to refuse duplicate rows
   */
  public record Config(boolean force, int writtenIdsCapacity) {
    /** No forced sync; {@link WrittenIds#DEFAULT_CAPACITY} ids. */
    public static final Config DEFAULT = new Config(false, WrittenIds.DEFAULT_CAPACITY);

    public Config {
      if (writtenIdsCapacity < 1) {
        throw new IllegalArgumentException(
            "writtenIdsCapacity must be at least 1: " + writtenIdsCapacity);
      }
    }
  }

  private final Path file;
  private final Config config;
  private final FileChannel channel;
  private final Writer out;
  private final WrittenIds writtenIds;
  // Set when a write or flush failed: the buffer may hold part of a row, and writing anything after
  // it would bury a torn line in the middle of the file. Reopening repairs the tail instead.
  private IOException failure;
  private boolean closed;

  private MetricLogWriter(Path file, Config config, FileChannel channel, WrittenIds writtenIds) {
    this.file = file;
    this.config = config;
    this.channel = channel;
    this.writtenIds = writtenIds;
    this.out =
        new BufferedWriter(
            new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8),
            BUFFER_CHARS);
  }

  /** Opens the log in {@code dir} without reporting the rows already in it. */
  public static MetricLogWriter open(Path dir, Config config) throws IOException {
    return open(dir, config, row -> {});
  }

  /**
   * Opens (or creates) {@code dir/metric_log.csv}, creating {@code dir} if needed, and passes every
   * row already in the file to {@code existingRows}, oldest first, for example to seed {@link
   * RunningMetrics}. Writes the header if the file is new or empty; truncates a torn last line with
   * a warning. Throws {@link IOException} if the file exists but does not start with the header.
   */
  public static MetricLogWriter open(
      Path dir, Config config, Consumer<? super MetricLog.Row> existingRows) throws IOException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(existingRows, "existingRows");
    Files.createDirectories(dir);
    Path file = dir.resolve(MetricLog.FILE_NAME);
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    try {
      WrittenIds ids = new WrittenIds(config.writtenIdsCapacity());
      MetricLogScan.Result scan =
          MetricLogScan.scan(
              Channels.newInputStream(channel),
              file.toString(),
              row -> {
                ids.add(row.id());
                existingRows.accept(row);
              });
      long size = channel.size();
      if (scan.intactEnd() < size) {
        LOG.warn(
            "{}: removing a torn last line ({} bytes), left by a crash or a failed write",
            file,
            size - scan.intactEnd());
        channel.truncate(scan.intactEnd());
      }
      channel.position(scan.intactEnd());
      MetricLogWriter writer = new MetricLogWriter(file, config, channel, ids);
      if (!scan.hasHeader()) {
        // Flushed at once so a reader never sees a log without its header.
        writer.writeLine(MetricLog.HEADER);
        writer.flush();
      }
      LOG.info("{}: opened with {} rows", file, scan.rows());
      return writer;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Whether {@code id} can be a row of the log. An id with a line break cannot: the log is read
   * line by line, and such a row could not be told from a torn one. The service dead-letters such a
   * message instead of offering it for pairing.
   */
  public static boolean isLoggable(MessageId id) {
    return isLoggable(id.text());
  }

  private static boolean isLoggable(String id) {
    return !id.isEmpty() && id.indexOf('\n') < 0 && id.indexOf('\r') < 0;
  }

  /**
   * Whether a row for {@code id} was already written (or appended and not yet flushed). The id is
   * compared by its text only.
   */
  public boolean isWritten(MessageId id) {
    return writtenIds.contains(id.text());
  }

  /**
   * Appends {@code row} to the buffer, unless its id was already written; returns whether it did. A
   * refused row may still be in the unflushed buffer, so the service acks a refused duplicate only
   * after the next {@link #flush}, like any other.
   *
   * @throws IllegalArgumentException if the id is not {@linkplain #isLoggable(MessageId) loggable}
   */
  public boolean append(MetricLog.Row row) throws IOException {
    ensureUsable();
    if (!isLoggable(row.id())) {
      throw new IllegalArgumentException("id cannot be logged: " + row.id());
    }
    if (writtenIds.contains(row.id())) {
      return false;
    }
    writeLine(MetricLog.format(row));
    writtenIds.add(row.id());
    return true;
  }

  /** Hands every appended row to the operating system, and with {@code force} to the disk. */
  public void flush() throws IOException {
    ensureUsable();
    flushBuffer();
  }

  private void flushBuffer() throws IOException {
    try {
      out.flush();
      if (config.force()) {
        // true: the file's size grows with every append and is needed to read the rows back.
        channel.force(true);
      }
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  /** The log file. */
  public Path file() {
    return file;
  }

  /** Flushes (unless an earlier write failed) and closes the file. Closing twice does nothing. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (failure == null) {
        flushBuffer();
      }
    } finally {
      closed = true;
      channel.close();
    }
  }

  private void writeLine(String line) throws IOException {
    try {
      out.write(line);
      out.write('\n');
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  private void ensureUsable() throws IOException {
    if (closed) {
      throw new IOException(file + " is closed");
    }
    if (failure != null) {
      throw new IOException(
          "an earlier write to " + file + " failed; reopen it to repair", failure);
    }
  }
}
