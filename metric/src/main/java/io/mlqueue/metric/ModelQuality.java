package io.mlqueue.metric;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.DoubleBinaryOperator;

/**
 * Every model's quality as its rows reach {@code model_log.csv}: count, MAE, RMSE and R² since
 * start (the rows of the log before included) and over a sliding time window, plus what its errors
 * cost by a cost function (the stats module's cost file). What Prometheus reads, per model.
 *
 * <p>The window keeps the pairs of its last {@code window} (at most {@code maxWindowRows} per
 * model, the oldest dropped first) and computes its figures when asked: a scrape every few seconds
 * costs a pass over them, where keeping running sums would need subtraction that loses digits.
 *
 * <p>Thread-safe: the log's writer adds while a scrape reads.
 */
public final class ModelQuality {

  /**
   * The figures of one model over a span.
   *
   * @param cost the summed cost of its predictions; 0 without a cost function
   */
  public record Figures(long count, double mae, double rmse, double r2, double cost) {
    /** Cost per 1,000 predictions; NaN without any. */
    public double costPerThousand() {
      return count == 0 ? Double.NaN : 1_000 * cost / count;
    }
  }

  private record Point(long atMillis, double yTrue, double yPred, double cost) {}

  private final Duration window;
  private final int maxWindowRows;
  private final DoubleBinaryOperator cost;
  private final InstantSource clock;
  private final BiConsumer<ModelQuality, String> newModels;
  private final ConcurrentHashMap<String, PerModel> models = new ConcurrentHashMap<>();

  /**
   * @param cost the cost of predicting {@code yPred} when the truth is {@code yTrue}; {@code (t, p)
   *     -> 0} without a cost file
   * @param newModels told of each model (this and its name) the first time it has a row, e.g. to
   *     register its meters
   */
  public ModelQuality(
      Duration window,
      int maxWindowRows,
      DoubleBinaryOperator cost,
      InstantSource clock,
      BiConsumer<ModelQuality, String> newModels) {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("the quality window must be positive: " + window);
    }
    if (maxWindowRows < 1) {
      throw new IllegalArgumentException("maxWindowRows must be at least 1: " + maxWindowRows);
    }
    this.window = window;
    this.maxWindowRows = maxWindowRows;
    this.cost = Objects.requireNonNull(cost, "cost");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.newModels = Objects.requireNonNull(newModels, "newModels");
  }

  /** Counts a row of {@code model} logged now. */
  public void add(String model, double yTrue, double yPred) {
    add(model, yTrue, yPred, clock.millis());
  }

  /** Counts a row logged at {@code atMillis} (a row reloaded from the log keeps its time). */
  public void add(String model, double yTrue, double yPred, long atMillis) {
    PerModel m = models.get(model);
    if (m == null) {
      PerModel fresh = new PerModel();
      m = models.putIfAbsent(model, fresh);
      if (m == null) {
        m = fresh;
        newModels.accept(this, model);
      }
    }
    m.add(new Point(atMillis, yTrue, yPred, cost.applyAsDouble(yTrue, yPred)));
  }

  /** The models that have rows, in no particular order. */
  public List<String> models() {
    return List.copyOf(models.keySet());
  }

  /** {@code model}'s figures since start; all NaN (count 0) for a model without rows. */
  public Figures total(String model) {
    PerModel m = models.get(model);
    return m == null ? empty() : m.total();
  }

  /** {@code model}'s figures over the window that ends now. */
  public Figures window(String model) {
    PerModel m = models.get(model);
    return m == null ? empty() : m.window(clock.millis() - window.toMillis());
  }

  /** The window's length. */
  public Duration windowLength() {
    return window;
  }

  private static Figures empty() {
    return new Figures(0, Double.NaN, Double.NaN, Double.NaN, 0);
  }

  private final class PerModel {
    private final RunningMetrics all = new RunningMetrics();
    private double totalCost; // guarded by this
    private final ArrayDeque<Point> recent = new ArrayDeque<>(); // guarded by this

    void add(Point p) {
      all.add(p.yTrue(), p.yPred());
      synchronized (this) {
        totalCost += p.cost();
        recent.addLast(p);
        if (recent.size() > maxWindowRows) {
          recent.removeFirst();
        }
      }
    }

    synchronized Figures total() {
      RunningMetrics.Snapshot s = all.snapshot();
      return new Figures(s.count(), s.mae(), s.rmse(), s.r2(), totalCost);
    }

    synchronized Figures window(long fromMillis) {
      while (!recent.isEmpty() && recent.peekFirst().atMillis() < fromMillis) {
        recent.removeFirst();
      }
      RunningMetrics span = new RunningMetrics();
      double spanCost = 0;
      for (Point p : recent) {
        // Rows come in time order, but not strictly (several writers' clocks, a reload): one
        // older than the window behind a younger one is skipped here rather than dropped above.
        if (p.atMillis() >= fromMillis) {
          span.add(p.yTrue(), p.yPred());
          spanCost += p.cost();
        }
      }
      RunningMetrics.Snapshot s = span.snapshot();
      return new Figures(s.count(), s.mae(), s.rmse(), s.r2(), spanCost);
    }
  }
}
