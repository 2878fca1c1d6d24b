package io.mlqueue.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.drift.LiveDrift;
import io.mlqueue.model.drift.ReferenceProfiles;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.stats.drift.WindowSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The model worker's drift monitoring options (docs/MONITORING.md). */
final class DriftOptions {
  @Option(
      names = "--drift-window",
      paramLabel = "ROWS",
      defaultValue = "" + WindowSettings.DEFAULT_SIZE,
      description =
          "Drift is checked over the last ROWS rows predicted on the stream (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--drift-step",
      paramLabel = "ROWS",
      description = "…every ROWS new rows (default: the window's size, so windows do not overlap).")
  Integer step;

  @Option(
      names = "--drift-min-interval",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description =
          "…but not sooner than DURATION after the last check: a fast stream is checked"
              + " once a DURATION on its latest rows, not several times a second (default:"
              + " ${DEFAULT-VALUE}; 0s: every --drift-step rows).")
  Duration minInterval;

  @Option(
      names = "--drift-max-age",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "…or once DURATION has passed since the last check and at least --drift-min-rows came"
              + " (default: ${DEFAULT-VALUE}; 0s: rows only).")
  Duration maxAge;

  @Option(
      names = "--drift-min-rows",
      paramLabel = "ROWS",
      defaultValue = "50",
      description = "Fewest new rows a time-triggered check needs (default: ${DEFAULT-VALUE}).")
  int minRows;

  @Option(
      names = "--drift-patience",
      paramLabel = "WINDOWS",
      defaultValue = "" + WindowSettings.DEFAULT_PATIENCE,
      description =
          "A feature's drift episode starts (one log line, the episode gauge at 1) after WINDOWS"
              + " drifted windows in a row, and ends at the first window in line (default: ${DEFAULT-VALUE}).")
  int patience;

  @Option(names = "--no-drift", description = "Do not watch the inputs and predictions for drift.")
  boolean off;

  WindowSettings settings() {
    int s = step == null ? window : step;
    return new WindowSettings(
        window, s, maxAge.toMillis(), Math.min(minRows, window), patience, minInterval.toMillis());
  }

  /**
   * The monitor, or empty with {@code --no-drift}. A model's profile is its registry version's, the
   * built-in model's own, or made from {@code data} when given.
   */
  Optional<LiveDrift> start(
      Optional<ModelRegistry> registry, Optional<Dataset> data, MeterRegistry meters) {
    if (off) {
      return Optional.empty();
    }
    WindowSettings settings = settings();
    return Optional.of(
        new LiveDrift(
            (ServableModel m) -> ReferenceProfiles.find(m, registry, data),
            settings,
            meters,
            System::currentTimeMillis));
  }

  static Optional<Dataset> load(FeaturesCommand.DataOptions data) {
    if (data.file == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(data.load());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
