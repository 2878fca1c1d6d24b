package io.mlqueue.stats.drift;

/**
 * The last rows seen (features and prediction), in a ring of preallocated columns, and when the
 * next check is due. Not thread-safe: its owner serialises the calls.
 */
final class RowWindow {
  private final WindowSettings settings;
  private final double[][] columns; // [feature…, prediction][ring slot]
  private int next;
  private int held;
  private int fresh;
  private long lastCheckMillis;

  RowWindow(int featureCount, WindowSettings settings, long nowMillis) {
    this.settings = settings;
    this.columns = new double[featureCount + 1][settings.size()];
    this.lastCheckMillis = nowMillis;
  }

  void add(double[] features, double prediction) {
    int p = columns.length - 1;
    for (int j = 0; j < p; j++) {
      columns[j][next] = j < features.length ? features[j] : Double.NaN;
    }
    columns[p][next] = prediction;
    next = (next + 1) % columns[0].length;
    held = Math.min(held + 1, columns[0].length);
    fresh++;
  }

  boolean due(long nowMillis) {
    long sinceCheck = nowMillis - lastCheckMillis;
    return (fresh >= settings.step() && sinceCheck >= settings.minIntervalMillis())
        || (settings.maxAgeMillis() > 0
            && fresh >= settings.minRows()
            && sinceCheck >= settings.maxAgeMillis());
  }

  /**
   * The rows held, one array per column (features, then the prediction), oldest first; marks a
   * check as done now.
   */
  double[][] takeSnapshot(long nowMillis) {
    int n = held;
    double[][] out = new double[columns.length][n];
    int start = (next - n + columns[0].length) % columns[0].length;
    for (int j = 0; j < columns.length; j++) {
      for (int i = 0; i < n; i++) {
        out[j][i] = columns[j][(start + i) % columns[0].length];
      }
    }
    fresh = 0;
    lastCheckMillis = nowMillis;
    return out;
  }
}
