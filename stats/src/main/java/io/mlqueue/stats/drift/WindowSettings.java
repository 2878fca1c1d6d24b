package io.mlqueue.stats.drift;

/**
 * How live rows are grouped for drift checks: the last {@code size} rows, checked every {@code
 * step} new rows but not sooner than {@code minIntervalMillis} after the last check (a fast stream
 * is checked once an interval, on its latest rows, instead of several times a second), or after
 * {@code maxAgeMillis} once at least {@code minRows} new rows came (a slow stream is still
 * checked); a column is in a drift episode once {@code patience} consecutive checks found it
 * drifted, and out of it at the first check that does not.
 *
 * @param size rows in a window
 * @param step new rows between checks; {@code size} makes windows that do not overlap
 * @param maxAgeMillis longest time between checks while rows come; 0 for no time limit
 * @param minRows fewest new rows a time-triggered check needs
 * @param patience consecutive drifted checks that start an episode
 * @param minIntervalMillis shortest time between row-triggered checks; 0 for none
 */
public record WindowSettings(
    int size, int step, long maxAgeMillis, int minRows, int patience, long minIntervalMillis) {
  /**
   * Rows in a window by default: KS tells a shift of a third of a standard deviation at this size.
   */
  public static final int DEFAULT_SIZE = 500;

  /**
   * Three windows in a row: a column that never changed is flagged by one window's test with
   * probability 0.05 at most (less when the rows are drawn from the reference itself), three in a
   * row about 1e-4; see docs/MONITORING.md for the arithmetic.
   */
  public static final int DEFAULT_PATIENCE = 3;

  public WindowSettings {
    if (size < 10) {
      throw new IllegalArgumentException(
          "drift window: size " + size + " is too small (10 rows at least)");
    }
    if (step < 1 || step > size) {
      throw new IllegalArgumentException(
          "drift window: step " + step + " must be between 1 and the size " + size);
    }
    if (maxAgeMillis < 0) {
      throw new IllegalArgumentException(
          "drift window: negative time limit " + maxAgeMillis + " ms");
    }
    if (minRows < 1 || minRows > size) {
      throw new IllegalArgumentException(
          "drift window: minimum rows " + minRows + " must be between 1 and the size " + size);
    }
    if (patience < 1) {
      throw new IllegalArgumentException(
          "drift window: patience " + patience + " must be at least 1");
    }
    if (minIntervalMillis < 0) {
      throw new IllegalArgumentException(
          "drift window: negative minimum interval " + minIntervalMillis + " ms");
    }
  }

  /** Checked every {@code step} rows however fast they come. */
  public WindowSettings(int size, int step, long maxAgeMillis, int minRows, int patience) {
    this(size, step, maxAgeMillis, minRows, patience, 0);
  }

  /**
   * Windows of 500 rows that do not overlap, or of what came in a minute (at least 50 rows),
   * patience 3.
   */
  public static WindowSettings defaults() {
    return new WindowSettings(DEFAULT_SIZE, DEFAULT_SIZE, 60_000, 50, DEFAULT_PATIENCE);
  }
}
