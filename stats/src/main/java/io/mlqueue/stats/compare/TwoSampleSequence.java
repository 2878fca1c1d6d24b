package io.mlqueue.stats.compare;

/**
 * An always-valid confidence sequence for the difference of two means from independent samples: a
 * canary, where each request is answered by one model only, so there are no pairs to difference.
 *
 * <p>Built from two one-sample sequences ({@link ConfidenceSequence}, the same Gaussian-mixture
 * boundary), one over each model's losses, each at {@code α/2}, joined by a union bound: with
 * probability at least {@code 1 − α} both cover their means at every time at once, and then {@code
 * [lower_A − upper_B, upper_A − lower_B]} covers {@code mean_A − mean_B} at every time. Each
 * sequence counts only its own model's rows, so the split of traffic (a 10 % canary or 50 %) and
 * its changes need not be known; the price of the union bound is width: up to √2 times a pooled
 * interval's at equal shares, more when one model has most of the rows. The assumptions are each
 * sequence's (independent, identically distributed losses per model; asymptotic in the variance
 * estimate), which is why decisions wait for a minimum number of rows of each model; the A/A
 * simulation in docs/EVALUATION.md measures the false alarm rate actually reached.
 */
public final class TwoSampleSequence {
  private final ConfidenceSequence baseline;
  private final ConfidenceSequence candidate;

  /**
   * @param alpha the chance of the difference's sequence ever missing it, e.g. 0.05
   * @param tunedFor {@code t*}: the number of rows of each model at which its sequence is narrowest
   */
  public TwoSampleSequence(double alpha, long tunedFor) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    this.baseline = new ConfidenceSequence(alpha / 2, tunedFor);
    this.candidate = new ConfidenceSequence(alpha / 2, tunedFor);
  }

  /** Adds the next loss of the baseline (the champion). */
  public void addBaseline(double loss) {
    baseline.add(loss);
  }

  /** Adds the next loss of the candidate (the challenger). */
  public void addCandidate(double loss) {
    candidate.add(loss);
  }

  /**
   * The interval of {@code mean(baseline) − mean(candidate)} now; infinitely wide until each model
   * has two rows. Its {@code n} counts the rows of both, and its {@code sd} is the one that over
   * {@code n} rows gives the difference's standard error, {@code sqrt(n (s_A²/n_A + s_B²/n_B))}, so
   * that {@code mean ± z · sd / sqrt(n)} is the fixed-sample (Welch) interval beside it.
   */
  public ConfidenceSequence.Bound bound() {
    ConfidenceSequence.Bound a = baseline.bound();
    ConfidenceSequence.Bound b = candidate.bound();
    long n = a.n() + b.n();
    double sd =
        a.n() < 2 || b.n() < 2
            ? Double.NaN
            : Math.sqrt(n * (a.sd() * a.sd() / a.n() + b.sd() * b.sd() / b.n()));
    return new ConfidenceSequence.Bound(
        n, a.mean() - b.mean(), sd, a.lower() - b.upper(), a.upper() - b.lower());
  }
}
