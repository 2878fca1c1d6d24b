package io.mlqueue.plot;

import io.mlqueue.contract.MetricLog;
import io.mlqueue.contract.ModelLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plot service: keeps {@code <logDir>/error_distribution.png} in step with {@code
 * <logDir>/metric_log.csv}.
 *
 * <p>{@link #start()} runs one daemon thread that checks the CSV's size and modification time every
 * {@link PlotConfig#interval()} and redraws only when they changed, reading just the appended rows
 * (see {@link MetricLogTail}). Every image is written atomically, so a viewer never sees a partial
 * PNG. A missing CSV is not an error: the image then says "no data yet".
 *
 * <p>Each draw is also kept in memory as a {@link PlotSnapshot} (see {@link #latest()}), which the
 * {@link PlotDashboard} serves: the same numbers and bytes as the image, without reading the CSV
 * again.
 *
 * <p>The same thread follows {@code <logDir>/model_log.csv} (every model's rows, when metric runs
 * with {@code --model-log}) into {@link #modelWindows()}: each model's quality and cost over time.
 */
public final class PlotService implements AutoCloseable {

  /** Name of the image written into the log directory. */
  public static final String PNG_FILE_NAME = "error_distribution.png";

  private static final Logger log = LoggerFactory.getLogger(PlotService.class);
  private static final long CLOSE_TIMEOUT_SECONDS = 5;

  private final PlotConfig config;
  private final Path csv;
  private final Path png;
  private final MetricLogTail tail;
  private final ModelWindows modelWindows;
  private final ModelLogTail modelTail;
  private final ErrorHistogram histogram;
  private final Clock clock;

  private ScheduledExecutorService scheduler; // guarded by this
  private boolean closed; // guarded by this

  private final AtomicLong draws = new AtomicLong();
  private volatile int rowsPlotted = -1;
  private boolean reportedMissing; // guarded by the lock on tail (drawOnce)
  private volatile PlotSnapshot latest; // written under the lock on tail
  private volatile String failure; // written by the poller thread only
  private FileState drawnState; // poller thread only
  private boolean failing; // poller thread only

  /** A service for {@code config}; nothing runs until {@link #start()} or {@link #drawOnce()}. */
  public PlotService(PlotConfig config) {
    this(config, Clock.systemUTC());
  }

  /** As {@link #PlotService(PlotConfig)}, with the clock that stamps each draw. */
  public PlotService(PlotConfig config, Clock clock) {
    this(
        config,
        clock,
        new ModelWindows(
            ModelWindows.DEFAULT_WIDTH,
            ModelWindows.DEFAULT_COUNT,
            Optional.empty(),
            clock,
            ModelWindows.Listener.NONE));
  }

  /**
   * As {@link #PlotService(PlotConfig)}, with the rows of {@code model_log.csv} kept in {@code
   * windows}.
   */
  public PlotService(PlotConfig config, ModelWindows windows) {
    this(config, Clock.systemUTC(), windows);
  }

  PlotService(PlotConfig config, Clock clock, ModelWindows windows) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.modelWindows = Objects.requireNonNull(windows, "windows");
    this.modelTail = new ModelLogTail(config.logDir().resolve(ModelLog.FILE_NAME), windows);
    this.csv = config.logDir().resolve(MetricLog.FILE_NAME);
    this.png = config.logDir().resolve(PNG_FILE_NAME);
    this.tail = new MetricLogTail(csv);
    this.histogram = new ErrorHistogram(config.width(), config.height());
  }

  public PlotConfig config() {
    return config;
  }

  /** The CSV read: {@code <logDir>/metric_log.csv}. */
  public Path csvPath() {
    return csv;
  }

  /** Each model's quality and cost over time, from {@code <logDir>/model_log.csv}. */
  public ModelWindows modelWindows() {
    return modelWindows;
  }

  /** Whether {@code model_log.csv} existed when last read. */
  boolean modelLogExists() {
    return modelTail.exists();
  }

  /**
   * Reads the rows appended to {@code <logDir>/model_log.csv} into {@link #modelWindows()}; the
   * poller does so every interval.
   *
   * @return the number of rows read
   */
  public int readModelLog() throws IOException {
    return modelTail.poll();
  }

  /** The image written: {@code <logDir>/error_distribution.png}. */
  public Path pngPath() {
    return png;
  }

  /**
   * Reads what was appended to the CSV and redraws the image now, creating the log directory if
   * needed. Safe to call while the service runs.
   *
   * @return the number of rows plotted
   */
  public int drawOnce() throws IOException {
    // One draw at a time: two could finish out of order and leave the older image in place.
    synchronized (tail) {
      MetricLogTail.Update update = tail.poll();
      if (!update.fileExists() && !reportedMissing) {
        log.info("{} does not exist yet; drawing the \"no data yet\" chart", csv);
      }
      reportedMissing = !update.fileExists();
      double[] errors = tail.errors();
      BinnedErrors binned = BinnedErrors.of(errors, errors.length);
      byte[] bytes = histogram.renderPng(binned);
      // Published before the file is written: the dashboard serves it from memory, so it stays
      // live even while the disk refuses the file (the failure is shown beside it).
      PlotSnapshot previous = latest;
      latest =
          new PlotSnapshot(
              binned, bytes, clock.instant(), previous == null ? 1 : previous.number() + 1);
      Files.createDirectories(config.logDir());
      AtomicFiles.write(png, bytes);
      rowsPlotted = errors.length;
      draws.incrementAndGet();
      log.debug("drew {} rows into {} ({} new)", errors.length, png, update.rowsAdded());
      return errors.length;
    }
  }

  /** Rows in the image last written, or -1 before the first draw; for health checks and tests. */
  public int rowsPlotted() {
    return rowsPlotted;
  }

  /** The last chart drawn, empty before the first draw. */
  public Optional<PlotSnapshot> latest() {
    return Optional.ofNullable(latest);
  }

  /**
   * Why the poller's last attempt to draw failed, or empty when it worked (or has not run): the
   * next change to the CSV is only shown once this clears.
   */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /** Images written so far; the poller only adds one when the CSV changed. */
  public long drawCount() {
    return draws.get();
  }

  /** Starts polling the CSV on a daemon thread; the first draw happens at once. */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("plot service is closed");
    }
    if (scheduler != null) {
      throw new IllegalStateException("plot service already started");
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "plot-poller");
              thread.setDaemon(true);
              return thread;
            });
    long period = config.interval().toNanos();
    scheduler.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.NANOSECONDS);
    log.info(
        "plot service watching {} every {} ms, drawing {}", csv, config.interval().toMillis(), png);
  }

  /** Whether {@link #start()} was called and {@link #close()} was not. */
  public synchronized boolean isRunning() {
    return scheduler != null && !closed;
  }

  /**
   * Stops polling: a draw in progress finishes (so no temporary file is left behind), no new one
   * starts. Returns within a few seconds at most; idempotent.
   */
  @Override
  public void close() {
    ScheduledExecutorService running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = scheduler;
    }
    if (running == null) {
      return;
    }
    // shutdown() cancels the periodic task at once; only a draw already running is waited for.
    running.shutdown();
    try {
      if (!running.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("plot poller still drawing after {} s; interrupting it", CLOSE_TIMEOUT_SECONDS);
        running.shutdownNow();
      }
    } catch (InterruptedException e) {
      running.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void tick() {
    // An exception escaping a periodic task would cancel it silently, hence the catch-all below.
    try {
      // The per-model log first: one stat when unchanged, and its rows need not wait for a change
      // of metric_log.csv.
      modelTail.poll();
      // Taken before reading: a change racing with the draw makes the next tick draw once more,
      // which is harmless, whereas taking it after could miss that change for good.
      FileState state = FileState.of(csv);
      if (state.equals(drawnState)) {
        clearFailure();
        return;
      }
      drawOnce();
      drawnState = state;
      clearFailure();
    } catch (IOException | RuntimeException e) {
      failure = e.toString();
      // Logged once per outage rather than every interval; the next tick simply tries again.
      if (!failing) {
        log.warn(
            "could not read the logs or draw {}; will retry every {} ms",
            png,
            config.interval().toMillis(),
            e);
        failing = true;
      } else {
        log.debug("reading the logs or drawing {} still fails", png, e);
      }
    }
  }

  private void clearFailure() {
    if (failing) {
      log.info("reading the logs and drawing {} work again", png);
      failing = false;
      failure = null;
    }
  }

  /** What the poller compares between ticks: size and last-modified time, or absence. */
  private record FileState(boolean exists, long size, FileTime lastModified) {

    static FileState of(Path file) throws IOException {
      try {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileState(true, attributes.size(), attributes.lastModifiedTime());
      } catch (NoSuchFileException e) {
        return new FileState(false, -1, null);
      }
    }
  }
}
