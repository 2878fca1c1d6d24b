package io.mlqueue.plot;

import io.mlqueue.contract.ModelLog;
import io.mlqueue.stats.compare.Settings;
import io.mlqueue.stats.compare.TTest;
import io.mlqueue.stats.cost.CostModel;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Each model's quality over time, from the rows of {@code model_log.csv}: per model and per time
 * window (aligned on multiples of the width, a row placed by its {@code logged_at}) the count, MAE,
 * RMSE, R² and cost; for every two models that answered the same ids (a shadow), the paired
 * differences of their absolute error and cost, with the paired t interval over the windows kept.
 *
 * <p>Only the last {@code windows} windows up to the clock's are kept, in a ring per model: an
 * older window's sums are overwritten when its slot comes round again, so memory does not grow with
 * the stream. A row older than the oldest window kept still counts in the totals since start (the
 * Prometheus counters) but in no window; one stamped later than the clock's window (another host's
 * clock ahead) goes into the current one. Ids wait for a second model's answer while their window
 * is kept ({@link SharedIds}).
 *
 * <p>Thread-safe: the plot poller adds while the dashboard and Prometheus read.
 */
public final class ModelWindows {

  public static final Duration DEFAULT_WIDTH = Duration.ofSeconds(10);
  public static final int DEFAULT_COUNT = 60;

  /** The intervals' coverage: evaluate's default α. */
  static final double CONFIDENCE = 1 - Settings.DEFAULT_ALPHA;

  /**
   * Orders {@code name:version} ids by name, then by version as a number when both are numbers
   * ({@code diabetes:2} before {@code diabetes:10}): a comparison goes from the first to the
   * second.
   */
  static final Comparator<String> ORDER =
      (a, b) -> {
        int ca = a.lastIndexOf(':');
        int cb = b.lastIndexOf(':');
        String na = ca < 0 ? a : a.substring(0, ca);
        String nb = cb < 0 ? b : b.substring(0, cb);
        int byName = na.compareTo(nb);
        if (byName != 0 || ca < 0 || cb < 0) {
          return byName != 0 ? byName : a.compareTo(b);
        }
        try {
          int byVersion =
              Long.compare(
                  Long.parseLong(a.substring(ca + 1)), Long.parseLong(b.substring(cb + 1)));
          return byVersion != 0 ? byVersion : a.compareTo(b);
        } catch (NumberFormatException e) {
          return a.compareTo(b);
        }
      };

  /** Told, outside the lock, of each model's first row and each two models' first pair. */
  public interface Listener {
    Listener NONE = new Listener() {};

    /** {@code model} has its first row. */
    default void newModel(ModelWindows windows, String model) {}

    /** {@code from} and {@code to} (in {@link #ORDER}) have answered their first id in common. */
    default void newPair(ModelWindows windows, String from, String to) {}
  }

  private final class PerModel {
    final WindowSums[] ring = ring(WindowSums::new, new WindowSums[count]);
    long rows;
    double cost;
  }

  private final long width;
  private final int count;
  private final Optional<CostModel> costModel;
  private final InstantSource clock;
  private final Listener listener;
  private final Map<String, PerModel> models = new TreeMap<>(ORDER); // guarded by this
  private final SharedIds shared; // guarded by this
  private long tooOld; // guarded by this

  /**
   * @param width each window's length, at least a millisecond
   * @param windows how many windows are kept, the current one included
   * @param cost prices each row's error, or empty without a cost file (costs are then 0)
   * @param listener told of each new model and pair, e.g. to register their counters
   */
  public ModelWindows(
      Duration width,
      int windows,
      Optional<CostModel> cost,
      InstantSource clock,
      Listener listener) {
    if (width.toMillis() < 1) {
      throw new IllegalArgumentException("the window width must be at least 1 ms: " + width);
    }
    if (windows < 1) {
      throw new IllegalArgumentException("at least one window must be kept: " + windows);
    }
    this.width = width.toMillis();
    this.count = windows;
    this.shared = new SharedIds(windows);
    this.costModel = Objects.requireNonNull(cost, "cost");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** Default width and count, no cost file, the system clock, no listener. */
  public static ModelWindows defaults() {
    return new ModelWindows(
        DEFAULT_WIDTH, DEFAULT_COUNT, Optional.empty(), InstantSource.system(), Listener.NONE);
  }

  /** Counts {@code row} in its model's window and pairs it with other models' answers to its id. */
  public void add(ModelLog.Row row) {
    List<List<String>> news = new ArrayList<>(0);
    synchronized (this) {
      addLocked(row, news);
    }
    for (List<String> n : news) {
      if (n.size() == 1) {
        listener.newModel(this, n.get(0));
      } else {
        listener.newPair(this, n.get(0), n.get(1));
      }
    }
  }

  /** Adds to {@code news} the model ({@code [model]}) and pairs ({@code [from, to]}) seen first. */
  private void addLocked(ModelLog.Row row, List<List<String>> news) {
    long now = index(clock.millis());
    double rowCost = costModel.map(c -> c.cost(row.yTrue(), row.yPred())).orElse(0.0);
    PerModel m = models.get(row.model());
    if (m == null) {
      m = new PerModel();
      models.put(row.model(), m);
      news.add(List.of(row.model()));
    }
    m.rows++;
    m.cost += rowCost;
    long w = Math.min(index(row.loggedAt().toEpochMilli()), now);
    if (w <= now - count) {
      tooOld++;
      return;
    }
    slot(m.ring, w).add(row.yTrue(), row.yPred(), rowCost);
    shared.add(row.id(), row.model(), row.absoluteError(), rowCost, w, now - count, news);
  }

  /** Forgets every window and waiting id (the log is read again from its start); totals stay. */
  public synchronized void clearWindows() {
    for (PerModel m : models.values()) {
      for (WindowSums s : m.ring) {
        s.reset(Long.MIN_VALUE);
      }
    }
    shared.clearWindows();
  }

  /** The models with rows since start, in {@link #ORDER}. */
  public synchronized List<String> models() {
    return List.copyOf(models.keySet());
  }

  /** Rows of {@code model} read since start (0 for an unknown model). */
  public synchronized long rows(String model) {
    PerModel m = models.get(model);
    return m == null ? 0 : m.rows;
  }

  /** What {@code model}'s rows read since start cost (0 without a cost file). */
  public synchronized double cost(String model) {
    PerModel m = models.get(model);
    return m == null ? 0 : m.cost;
  }

  /** Ids that {@code from} and {@code to} (in {@link #ORDER}) both answered, since start. */
  public synchronized long pairs(String from, String to) {
    return shared.pairs(from, to);
  }

  /**
   * What {@code model}'s answers to the ids it shares with {@code pairedWith} cost, since start (0
   * without a cost file): the two models' difference over {@link #pairs} is the saving of
   * switching.
   */
  public synchronized double pairedCost(String model, String pairedWith) {
    return shared.pairedCost(model, pairedWith);
  }

  /** Rows since start that were older than every window kept. */
  public synchronized long tooOld() {
    return tooOld;
  }

  public Duration width() {
    return Duration.ofMillis(width);
  }

  public int windowCount() {
    return count;
  }

  public Optional<CostModel> costModel() {
    return costModel;
  }

  /**
   * One model's series.
   *
   * @param windows per window kept, oldest first, {@link WindowSums.Figures#EMPTY} when it had none
   * @param span the windows kept taken together
   */
  record Series(
      String model,
      long rows,
      double cost,
      List<WindowSums.Figures> windows,
      WindowSums.Figures span) {}

  /**
   * Two models on the ids both answered in the windows kept: differences are {@code from − to}, so
   * positive means {@code to} loses (or costs) less: the saving of switching from {@code from}.
   *
   * @param cost empty without a cost file or under two pairs
   */
  record Comparison(
      String from, String to, long pairs, Optional<TTest> absoluteError, Optional<TTest> cost) {}

  /**
   * Everything the dashboard draws, at one instant.
   *
   * @param start when the oldest window kept starts
   * @param now the clock's time, inside the last window
   * @param models the models with rows in the windows kept, in {@link #ORDER}
   */
  record Timeline(
      Instant start,
      Duration width,
      Instant now,
      List<Series> models,
      List<Comparison> comparisons) {
    /** Seconds of window {@code i} that have passed: the whole width but for the current one. */
    double seconds(int i) {
      long windowStart = start.toEpochMilli() + i * width.toMillis();
      long elapsed = Math.min(width.toMillis(), now.toEpochMilli() - windowStart + 1);
      return Math.max(1, elapsed) / 1000.0;
    }
  }

  /** The windows kept up to now. */
  synchronized Timeline timeline() {
    long nowMillis = clock.millis();
    long now = index(nowMillis);
    long first = now - count + 1;
    List<Series> series = new ArrayList<>();
    for (Map.Entry<String, PerModel> e : models.entrySet()) {
      List<WindowSums.Figures> figures = new ArrayList<>(count);
      WindowSums span = new WindowSums();
      for (long w = first; w <= now; w++) {
        WindowSums s = e.getValue().ring[(int) Math.floorMod(w, (long) count)];
        if (s.window == w) {
          figures.add(s.figures());
          span.merge(s);
        } else {
          figures.add(WindowSums.Figures.EMPTY);
        }
      }
      if (span.count() > 0) {
        PerModel m = e.getValue();
        series.add(new Series(e.getKey(), m.rows, m.cost, List.copyOf(figures), span.figures()));
      }
    }
    List<Comparison> comparisons = shared.comparisons(first, now, costModel.isPresent());
    return new Timeline(
        Instant.ofEpochMilli(first * width),
        Duration.ofMillis(width),
        Instant.ofEpochMilli(nowMillis),
        List.copyOf(series),
        List.copyOf(comparisons));
  }

  private long index(long epochMillis) {
    return Math.floorDiv(epochMillis, width);
  }

  private WindowSums slot(WindowSums[] ring, long w) {
    WindowSums s = ring[(int) Math.floorMod(w, (long) count)];
    if (s.window != w) {
      s.reset(w);
    }
    return s;
  }

  static <T> T[] ring(Supplier<T> make, T[] slots) {
    for (int i = 0; i < slots.length; i++) {
      slots[i] = make.get();
    }
    return slots;
  }
}
