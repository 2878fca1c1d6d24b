package io.mlqueue.plot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link PlotService}.
 *
 * @param logDir directory holding {@code metric_log.csv}; the PNG is written beside it
 * @param interval how often to check the CSV for changes
 * @param width image width in pixels
 * @param height image height in pixels
 */
public record PlotConfig(Path logDir, Duration interval, int width, int height) {

  /** Default poll interval: the course redraws every 1–10 s. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

  public PlotConfig {
    Objects.requireNonNull(logDir, "logDir");
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    // The renderer's own check, so that a bad size fails at start-up rather than at the first draw.
    ErrorHistogram.checkSize(width, height);
  }

  /** {@code logDir} with the default interval and image size. */
  public static PlotConfig of(Path logDir) {
    return new PlotConfig(
        logDir, DEFAULT_INTERVAL, ErrorHistogram.DEFAULT_WIDTH, ErrorHistogram.DEFAULT_HEIGHT);
  }

  /** This config with another interval. */
  public PlotConfig withInterval(Duration newInterval) {
    return new PlotConfig(logDir, newInterval, width, height);
  }
}
