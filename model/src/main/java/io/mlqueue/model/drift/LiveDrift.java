package io.mlqueue.model.drift;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.service.RowObserver;
import io.mlqueue.stats.drift.DriftDetector;
import io.mlqueue.stats.drift.ReferenceProfile;
import io.mlqueue.stats.drift.WindowCheck;
import io.mlqueue.stats.drift.WindowSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model worker's drift monitor. On the consumer's thread it only copies each row into the
 * window (a few array stores under a lock held by nobody else for long); when a window is due, its
 * snapshot is checked on a thread of its own: the drift tests per feature and for the prediction,
 * the estimated MAE, Prometheus gauges with a {@code model} label, a log line when a column's drift
 * episode starts or ends. Snapshots wait in a queue of {@value #QUEUED_CHECKS} (a burst of bulk
 * messages closes windows faster than they are checked); beyond it a window is skipped and counted,
 * never the stream slowed.
 */
public final class LiveDrift implements RowObserver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveDrift.class);

  /** Windows waiting for their check at most: 64 windows of 500 rows and 11 columns are 2.8 MB. */
  static final int QUEUED_CHECKS = 64;

  private final Function<ServableModel, Optional<ReferenceProfile>> profiles;
  private final WindowSettings settings;
  private final MeterRegistry registry;
  private final LongSupplier clock;
  private final ThreadPoolExecutor checker;
  private final AtomicLong skipped = new AtomicLong();
  private final List<Consumer<Report>> listeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  // Guarded by this: the model watched now and its detector (null when it has no profile).
  private String modelId;
  private Watched watched;

  /** What one check found, for listeners (the dashboard, tests). */
  public record Report(String model, WindowCheck check, double estimatedMae) {}

  private record Watched(
      String model, DriftDetector detector, Optional<LossEstimator> loss, DriftMeters meters) {}

  public LiveDrift(
      Function<ServableModel, Optional<ReferenceProfile>> profiles,
      WindowSettings settings,
      MeterRegistry registry,
      LongSupplier clock) {
    this.profiles = profiles;
    this.settings = settings;
    this.registry = registry;
    this.clock = clock;
    this.checker =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUED_CHECKS),
            r -> {
              Thread t = new Thread(r, "drift-check");
              t.setDaemon(true);
              t.setPriority(Thread.MIN_PRIORITY);
              return t;
            },
            (task, pool) -> skipped.incrementAndGet());
    io.micrometer.core.instrument.FunctionCounter.builder(
            "mlqueue.drift.checks.skipped", skipped, AtomicLong::get)
        .description("Drift windows not checked because the checks fell behind the stream")
        .register(registry);
  }

  /** Calls {@code listener} after every check, on the checking thread. */
  public void onCheck(Consumer<Report> listener) {
    listeners.add(listener);
  }

  /**
   * Reads the profile of {@code model} now, on the caller's thread (at start, before consuming).
   */
  public synchronized void prepare(ServableModel model) {
    if (watched != null) {
      watched.meters().remove();
    }
    modelId = model.id();
    watched = load(model);
  }

  /**
   * Starts reading the profile of {@code model} on a thread of its own and returns at once: the
   * worker starts consuming without waiting for it (reading it and fitting the error model take a
   * second or two of a cold JVM); the rows that come meanwhile are not watched.
   */
  public synchronized void startWatching(ServableModel model) {
    watch(model);
  }

  @Override
  public void observe(ServableModel model, double[][] rows, double[] predictions) {
    long now = clock.getAsLong();
    double[][] snapshot = null;
    Watched w;
    synchronized (this) {
      w = watch(model);
      if (w == null) {
        return;
      }
      for (int i = 0; i < rows.length; i++) {
        double[][] s = w.detector().add(rows[i], predictions[i], now);
        if (s != null) {
          if (snapshot != null) {
            final double[][] earlier = snapshot;
            checker.execute(() -> check(w, earlier));
          }
          snapshot = s;
        }
      }
    }
    if (snapshot != null) {
      final double[][] taken = snapshot;
      checker.execute(() -> check(w, taken));
    }
  }

  /**
   * The model watched now; called with the lock held. When an alias has moved, the new version's
   * profile is read (and its error model fitted, up to a second) on a thread of its own, not the
   * consumer's: rows that come meanwhile are not watched.
   */
  private Watched watch(ServableModel model) {
    if (model.id().equals(modelId)) {
      return watched;
    }
    if (watched != null) {
      watched.meters().remove();
    }
    String id = model.id();
    modelId = id;
    watched = null;
    Thread loader =
        new Thread(
            () -> {
              Watched w = load(model);
              synchronized (this) {
                if (id.equals(modelId) && watched == null) {
                  watched = w;
                } else if (w != null) {
                  w.meters().remove(); // the alias moved again meanwhile
                }
              }
            },
            "drift-profile");
    loader.setDaemon(true);
    loader.start();
    return null;
  }

  /** The detector, error model and meters of {@code model}; null when it cannot be watched. */
  private Watched load(ServableModel model) {
    try {
      Optional<ReferenceProfile> profile = profiles.apply(model);
      if (profile.isEmpty()) {
        log.warn(
            "drift: model {} has no reference profile (train or register it with data, or give"
                + " --data); its inputs are not watched",
            model.id());
        return null;
      }
      if (!profile.get().featureNames().equals(model.featureNames())) {
        log.warn(
            "drift: the reference profile of {} reads {}, the model {}; its inputs are not watched",
            model.id(),
            profile.get().featureNames(),
            model.featureNames());
        return null;
      }
      Optional<LossEstimator> loss = LossEstimator.fit(profile.get());
      Watched w =
          new Watched(
              model.id(),
              new DriftDetector(profile.get(), settings, clock.getAsLong()),
              loss,
              new DriftMeters(registry, model.id(), profile.get()));
      log.info(
          "drift: watching {} against its reference of {} rows in windows of {} rows (every {},"
              + " at most once in {} ms, or {} s), episodes after {} drifted windows{}",
          model.id(),
          profile.get().rows(),
          settings.size(),
          settings.step(),
          settings.minIntervalMillis(),
          settings.maxAgeMillis() / 1000,
          settings.patience(),
          loss.isPresent() ? "; MAE estimated before labels" : "");
      return w;
    } catch (RuntimeException e) {
      log.warn(
          "drift: cannot read the reference profile of {}: {}; its inputs are not watched",
          model.id(),
          e.toString());
      return null;
    }
  }

  private void check(Watched w, double[][] snapshot) {
    try {
      WindowCheck c = w.detector().check(snapshot);
      double mae = w.loss().map(l -> l.estimateMae(snapshot)).orElse(Double.NaN);
      w.meters().record(c, mae);
      for (String column : c.started()) {
        WindowCheck.Column col =
            c.columns().stream().filter(x -> x.name().equals(column)).findFirst().orElseThrow();
        log.warn(
            "drift: model {} {} '{}' drifted in {} windows in a row: {} {} = {} (threshold {}), psi {};"
                + " episode starts",
            w.model(),
            kind(column),
            column,
            settings.patience(),
            col.drift().test().method().label(),
            col.drift().test().method().isPValue() ? "p" : "distance",
            String.format("%.3g", col.drift().test().value()),
            col.drift().test().threshold(),
            String.format("%.3g", col.drift().psi().value()));
      }
      for (String column : c.ended()) {
        log.info(
            "drift: model {} {} '{}' is back in line with its reference; episode ends",
            w.model(),
            kind(column),
            column);
      }
      Report report = new Report(w.model(), c, mae);
      for (Consumer<Report> l : listeners) {
        l.accept(report);
      }
    } catch (RuntimeException e) {
      log.warn("drift: a check of model {} failed: {}", w.model(), e.toString());
    }
  }

  private static String kind(String column) {
    return column.equals(ReferenceProfile.PREDICTION) ? "output" : "feature";
  }

  /** Windows skipped because the checks fell behind. */
  public long skipped() {
    return skipped.get();
  }

  /** Stops checking; a check under way finishes. */
  @Override
  public void close() throws InterruptedException {
    checker.shutdown();
    checker.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** The drift meters of one model version. */
  private static final class DriftMeters {
    private final MeterRegistry registry;
    private final List<io.micrometer.core.instrument.Meter> meters = new ArrayList<>();
    private final ConcurrentHashMap<String, double[]> values = new ConcurrentHashMap<>();
    private final Counter checks;
    private volatile double estimatedMae = Double.NaN;

    DriftMeters(MeterRegistry registry, String model, ReferenceProfile profile) {
      this.registry = registry;
      List<String> columns = new ArrayList<>(profile.featureNames());
      columns.add(ReferenceProfile.PREDICTION);
      for (String column : columns) {
        // [value, statistic, psi, drifted, episode]
        double[] v = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0};
        values.put(column, v);
        gauge(
            "mlqueue.drift.score",
            model,
            column,
            v,
            0,
            "The chosen drift test's p-value (ks, chisquare, z) or distance (wasserstein, jensenshannon) in the last window");
        gauge(
            "mlqueue.drift.statistic",
            model,
            column,
            v,
            1,
            "The chosen drift test's statistic in the last window");
        gauge(
            "mlqueue.drift.psi",
            model,
            column,
            v,
            2,
            "Population stability index of the last window against the reference");
        gauge(
            "mlqueue.drift.drifted",
            model,
            column,
            v,
            3,
            "1 if the last window drifted by the chosen test, else 0");
        gauge(
            "mlqueue.drift.episode",
            model,
            column,
            v,
            4,
            "1 while the column is in a drift episode (drifted in enough windows in a row)");
      }
      checks =
          Counter.builder("mlqueue.drift.checks")
              .tag("model", model)
              .description("Windows checked against the reference")
              .register(registry);
      meters.add(checks);
      meters.add(
          Gauge.builder("mlqueue.drift.estimated.mae", this, m -> m.estimatedMae)
              .tag("model", model)
              .description(
                  "MAE estimated from the last window's features and predictions (direct loss estimation), before labels")
              .register(registry));
    }

    private void gauge(String name, String model, String column, double[] v, int i, String help) {
      meters.add(
          Gauge.builder(name, v, a -> a[i])
              .tag("model", model)
              .tag("feature", column)
              .description(help)
              .register(registry));
    }

    void record(WindowCheck c, double mae) {
      for (WindowCheck.Column col : c.columns()) {
        double[] v = values.get(col.name());
        v[0] = col.drift().test().value();
        v[1] = col.drift().test().statistic();
        v[2] = col.drift().psi().value();
        v[3] = col.drift().drifted() ? 1 : 0;
        v[4] = col.inEpisode() ? 1 : 0;
      }
      estimatedMae = mae;
      checks.increment();
    }

    void remove() {
      meters.forEach(registry::remove);
    }
  }
}
