package io.mlqueue.stats.drift;

/**
 * A drift test and how its value is read: a p-value drifts below its threshold, a distance at or
 * above it. The default thresholds are Evidently's.
 */
public enum Method {
  /** Two-sample Kolmogorov–Smirnov; value is the p-value. */
  KS("ks", true, 0.05),
  /** Wasserstein (earth mover's) distance divided by the reference's standard deviation. */
  WASSERSTEIN("wasserstein", false, 0.1),
  /** Pearson's χ² of the current counts against the reference proportions; value is the p-value. */
  CHI_SQUARE("chisquare", true, 0.05),
  /** Two-proportion Z test for a binary column; value is the p-value. */
  Z("z", true, 0.05),
  /** Jensen–Shannon distance (natural log) between binned frequencies. */
  JENSEN_SHANNON("jensenshannon", false, 0.1),
  /** Population stability index over the same bins. */
  PSI("psi", false, 0.1);

  private final String label;
  private final boolean pValue;
  private final double defaultThreshold;

  Method(String label, boolean pValue, double defaultThreshold) {
    this.label = label;
    this.pValue = pValue;
    this.defaultThreshold = defaultThreshold;
  }

  /** The short name used in metrics, logs and JSON (Evidently's). */
  public String label() {
    return label;
  }

  /** Whether the value is a p-value (drift below the threshold) rather than a distance. */
  public boolean isPValue() {
    return pValue;
  }

  /** Evidently's default threshold. */
  public double defaultThreshold() {
    return defaultThreshold;
  }

  /** Whether {@code value} means drift at {@code threshold}. */
  public boolean drifted(double value, double threshold) {
    return pValue ? value < threshold : value >= threshold;
  }

  /** The method with this label. */
  public static Method ofLabel(String label) {
    for (Method m : values()) {
      if (m.label.equals(label)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown drift method '" + label + "'");
  }
}
