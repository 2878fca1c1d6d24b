package io.mlqueue.plot;

/**
 * One model's rows in one time window, as sums that merge: count, absolute and squared errors,
 * cost, and the truth's mean and sum of squared deviations (Welford's, so R² keeps its digits where
 * {@code Σy² − (Σy)²/n} would cancel). Not thread-safe: {@link ModelWindows} holds its lock.
 */
final class WindowSums {

  /**
   * The figures of a span: NaN where undefined (no rows; R² under two rows or a constant truth).
   *
   * @param cost summed cost of the span's predictions (0 without a cost file)
   */
  record Figures(long count, double mae, double rmse, double r2, double cost) {
    static final Figures EMPTY = new Figures(0, Double.NaN, Double.NaN, Double.NaN, 0);

    /** Cost per 1,000 predictions; NaN without rows. */
    double costPerThousand() {
      return count == 0 ? Double.NaN : 1_000 * cost / count;
    }
  }

  long window = Long.MIN_VALUE; // index of the window these sums are for
  private long count;
  private double absolute;
  private double squared;
  private double cost;
  private double meanTrue;
  private double deviationsTrue; // Σ (y_true − mean)²

  /** Empties the sums for window {@code index}. */
  void reset(long index) {
    window = index;
    count = 0;
    absolute = 0;
    squared = 0;
    cost = 0;
    meanTrue = 0;
    deviationsTrue = 0;
  }

  void add(double yTrue, double yPred, double rowCost) {
    double error = yPred - yTrue;
    count++;
    absolute += Math.abs(error);
    squared += error * error;
    cost += rowCost;
    double delta = yTrue - meanTrue;
    meanTrue += delta / count;
    deviationsTrue += delta * (yTrue - meanTrue);
  }

  /** Adds {@code other}'s rows to these sums (Chan et al.'s merge of the truth's deviations). */
  void merge(WindowSums other) {
    if (other.count == 0) {
      return;
    }
    long n = count + other.count;
    double delta = other.meanTrue - meanTrue;
    deviationsTrue += other.deviationsTrue + delta * delta * count * other.count / n;
    meanTrue += delta * other.count / n;
    count = n;
    absolute += other.absolute;
    squared += other.squared;
    cost += other.cost;
  }

  long count() {
    return count;
  }

  Figures figures() {
    if (count == 0) {
      return Figures.EMPTY;
    }
    double r2 = count < 2 || deviationsTrue == 0 ? Double.NaN : 1 - squared / deviationsTrue;
    return new Figures(count, absolute / count, Math.sqrt(squared / count), r2, cost);
  }
}
