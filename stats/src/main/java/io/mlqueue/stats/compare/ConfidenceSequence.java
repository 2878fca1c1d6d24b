package io.mlqueue.stats.compare;

/**
 * An always-valid confidence sequence for the mean of a stream of paired differences (champion's
 * loss minus challenger's), so that the interval may be looked at after every batch — and a
 * decision taken at the first look where it excludes zero — without the false alarms that repeated
 * looks at a fixed-sample interval cause.
 *
 * <p>The boundary is the Gaussian-mixture asymptotic confidence sequence of Waudby-Smith, Arbour,
 * Sinha, Kennedy and Ramdas, "Time-uniform central limit theory and asymptotic confidence
 * sequences", Annals of Statistics 52(6), 2024, Theorem 2.2 (the normal-mixture boundary of Howard,
 * Ramdas, McAuliffe and Sekhon, Annals of Statistics 49(2), 2021, eq. (14), with the variance
 * estimated):
 *
 * <pre>
 *   μ̂_t ± σ̂_t · sqrt( 2 (t ρ² + 1) / (t² ρ²) · ln( sqrt(t ρ² + 1) / α ) )
 * </pre>
 *
 * where {@code μ̂_t} is the mean of the first {@code t} differences, {@code σ̂_t} their sample
 * standard deviation, {@code α} the chance of the sequence ever missing the true mean, and {@code
 * ρ} the mixture's spread, fixed in advance so that the boundary is tightest at {@code t*} pairs
 * (their eq. for the optimal ρ): {@code ρ² = (−2 ln α + ln(1 − 2 ln α)) / t*}.
 *
 * <p>Assumptions: the differences are independent and identically distributed with a finite
 * variance (slightly more, a 2 + δ moment, for the theorem). The plug-in {@code σ̂_t} makes the
 * guarantee asymptotic: coverage tends to {@code 1 − α} uniformly over time as the first look moves
 * later, which is why decisions wait for a minimum number of pairs; the A/A simulation in {@code
 * docs/EVALUATION.md} measures the false alarm rate actually reached. It is two-sided: the chance
 * that the lower end ever rises above the true mean (a false promotion) is at most {@code α}. Drift
 * over time (the traffic changing) breaks the identical-distribution assumption for any test; the
 * interval then covers the average difference over the traffic seen.
 */
public final class ConfidenceSequence {
  private final double alpha;
  private final long tunedFor;
  private final double rhoSquared;
  private long n;
  private double mean;
  private double m2; // Welford's sum of squared deviations

  /**
   * @param alpha the chance of ever missing the mean, e.g. 0.05
   * @param tunedFor {@code t*}: the number of pairs at which the interval is narrowest
   */
  public ConfidenceSequence(double alpha, long tunedFor) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    if (tunedFor < 1) {
      throw new IllegalArgumentException(
          "the confidence sequence's t* must be at least 1, got " + tunedFor);
    }
    this.alpha = alpha;
    this.tunedFor = tunedFor;
    this.rhoSquared = rhoSquared(alpha, tunedFor);
  }

  /** {@code ρ²} that makes the boundary tightest at {@code tunedFor} pairs. */
  public static double rhoSquared(double alpha, long tunedFor) {
    double l = -2 * Math.log(alpha);
    return (l + Math.log(1 + l)) / tunedFor;
  }

  /**
   * The half-width after {@code t} differences whose sample standard deviation is {@code sd}, in
   * units of the differences.
   */
  public static double halfWidth(long t, double sd, double alpha, double rhoSquared) {
    double tr = t * rhoSquared;
    return sd
        * Math.sqrt(
            2 * (tr + 1) / ((double) t * t * rhoSquared) * Math.log(Math.sqrt(tr + 1) / alpha));
  }

  /** Adds the next difference. */
  public void add(double difference) {
    if (!Double.isFinite(difference)) {
      throw new IllegalArgumentException("differences must be finite, got " + difference);
    }
    n++;
    double delta = difference - mean;
    mean += delta / n;
    m2 += delta * (difference - mean);
  }

  /** The interval now; infinitely wide before two differences. */
  public Bound bound() {
    if (n < 2) {
      return new Bound(
          n,
          n == 0 ? Double.NaN : mean,
          Double.NaN,
          Double.NEGATIVE_INFINITY,
          Double.POSITIVE_INFINITY);
    }
    double sd = Math.sqrt(m2 / (n - 1));
    double w = halfWidth(n, sd, alpha, rhoSquared);
    return new Bound(n, mean, sd, mean - w, mean + w);
  }

  public double alpha() {
    return alpha;
  }

  public long tunedFor() {
    return tunedFor;
  }

  /**
   * The confidence sequence after {@code n} differences.
   *
   * @param n how many differences
   * @param mean their mean
   * @param sd their sample standard deviation (NaN before two)
   * @param lower lower end: the mean difference is above it, at every {@code n}, with probability
   *     about {@code 1 − α}
   * @param upper upper end
   */
  public record Bound(long n, double mean, double sd, double lower, double upper) {}
}
