package io.mlqueue.metric;

import io.mlqueue.contract.ModelLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends rows to {@code <dir>/model_log.csv} ({@link ModelLog}), at most one per (id, model), and
 * survives crashes as {@link MetricLogWriter} does: on open it cuts off a line torn mid-write and
 * reloads the keys already written, so a redelivered prediction is not logged twice.
 *
 * <p>Rows are buffered; {@link #flush} hands them to the operating system, and the service acks
 * their messages only after that. Not thread-safe: use it from one thread or under one lock.
 */
public final class ModelLogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelLogWriter.class);

  private final Path file;
  private final boolean force;
  private final int capacity;
  private final FileChannel channel;
  private final Writer out;
  // Keys "id\nmodel" in the order written: an id with a line break is never logged, so the key is
  // unambiguous. Bounded like metric's WrittenIds: a redelivery older than that window is rare.
  private final LinkedHashSet<String> written = new LinkedHashSet<>();

  private ModelLogWriter(Path file, boolean force, int capacity, FileChannel channel) {
    this.file = file;
    this.force = force;
    this.capacity = capacity;
    this.channel = channel;
    this.out =
        new BufferedWriter(
            new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8),
            1 << 16);
  }

  /** Opens the log in {@code dir} without reporting the rows already in it. */
  public static ModelLogWriter open(Path dir, boolean force, int capacity) throws IOException {
    return open(dir, force, capacity, row -> {});
  }

  /**
   * Opens (or creates) {@code dir/model_log.csv}; writes the header if the file is new or empty,
   * and truncates a torn last line with a warning.
   *
   * @param force whether {@link #flush} also forces the file to the storage device
   * @param capacity how many recent (id, model) keys are remembered to refuse duplicate rows
   * @param existingRows told every row already in the file, oldest first (not kept here)
   * @throws IOException if the file exists but is not a model log
   */
  public static ModelLogWriter open(
      Path dir, boolean force, int capacity, Consumer<? super ModelLog.Row> existingRows)
      throws IOException {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    Files.createDirectories(dir);
    Path file = dir.resolve(ModelLog.FILE_NAME);
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    try {
      long size = channel.size();
      List<ModelLog.Row> rows = List.of();
      if (size > 0) {
        ModelLog.Contents contents = ModelLog.read(file);
        rows = contents.rows();
        if (contents.tornTail()) {
          long intact = intactEnd(channel, size);
          LOG.warn(
              "{}: removing a torn last line ({} bytes), left by a crash or a failed write",
              file,
              size - intact);
          channel.truncate(intact);
        }
      }
      channel.position(channel.size());
      ModelLogWriter writer = new ModelLogWriter(file, force, capacity, channel);
      for (ModelLog.Row row : rows) {
        writer.remember(key(row.id(), row.model()));
        existingRows.accept(row);
      }
      if (channel.size() == 0) {
        writer.out.write(ModelLog.HEADER);
        writer.out.write('\n');
        writer.flush();
      }
      return writer;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Where the last line break ends: everything after it is a torn line. */
  private static long intactEnd(FileChannel channel, long size) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    for (long at = size - 1; at >= 0; at--) {
      one.clear();
      channel.read(one, at);
      if (one.get(0) == '\n') {
        return at + 1;
      }
    }
    return 0;
  }

  /** Whether a row for ({@code id}, {@code model}) has been written (within the window). */
  public boolean isWritten(String id, String model) {
    return written.contains(key(id, model));
  }

  /**
   * Buffers {@code row} unless its (id, model) has a row already.
   *
   * @return whether it was appended
   */
  public boolean append(ModelLog.Row row) throws IOException {
    String key = key(row.id(), row.model());
    if (written.contains(key)) {
      return false;
    }
    out.write(ModelLog.format(row));
    out.write('\n');
    remember(key);
    return true;
  }

  /** Hands the buffered rows to the operating system (and to the device, when forced). */
  public void flush() throws IOException {
    out.flush();
    if (force) {
      channel.force(false);
    }
  }

  public Path file() {
    return file;
  }

  private void remember(String key) {
    written.add(key);
    if (written.size() > capacity) {
      Iterator<String> oldest = written.iterator();
      oldest.next();
      oldest.remove();
    }
  }

  private static String key(String id, String model) {
    return id + '\n' + model;
  }

  @Override
  public void close() throws IOException {
    try {
      out.flush();
    } finally {
      channel.close();
    }
  }
}
