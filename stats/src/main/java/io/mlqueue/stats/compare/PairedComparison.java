package io.mlqueue.stats.compare;

import io.mlqueue.stats.bootstrap.Interval;
import io.mlqueue.stats.bootstrap.Statistics;
import java.util.ArrayList;
import java.util.List;

/**
 * Two models' losses on the same rows (a shadow: both predicted every id), compared pair by pair.
 * The difference is {@code baseline − candidate}, so a positive difference means the candidate (the
 * challenger) loses less: it is the saving of switching.
 *
 * @param n pairs
 * @param baselineMean mean loss of the baseline (the champion)
 * @param candidateMean mean loss of the candidate
 * @param difference mean difference with its BCa bootstrap interval
 * @param pairedT the paired t test and its interval
 * @param wilcoxon the Wilcoxon signed-rank test
 * @param sequence the confidence sequence after every pair (the last entry is the current
 *     interval), thinned to at most about 500 points for plotting; the last entry is always
 *     included
 * @param conclusive whether {@code n} reaches the minimum sample
 */
public record PairedComparison(
    int n,
    double baselineMean,
    double candidateMean,
    Interval difference,
    TTest pairedT,
    WilcoxonSignedRank.Result wilcoxon,
    List<ConfidenceSequence.Bound> sequence,
    boolean conclusive) {

  /** The current (last) confidence sequence bound. */
  public ConfidenceSequence.Bound sequenceNow() {
    return sequence.get(sequence.size() - 1);
  }

  /**
   * Compares losses given in the order the pairs arrived (the confidence sequence follows that
   * order).
   */
  public static PairedComparison of(double[] baseline, double[] candidate, Settings settings) {
    if (baseline.length != candidate.length) {
      throw new IllegalArgumentException(
          baseline.length + " baseline losses but " + candidate.length + " candidate losses");
    }
    int n = baseline.length;
    if (n < 2) {
      throw new IllegalArgumentException("a paired comparison needs at least 2 pairs, got " + n);
    }
    double[] d = new double[n];
    double sumA = 0;
    double sumB = 0;
    for (int i = 0; i < n; i++) {
      d[i] = baseline[i] - candidate[i];
      sumA += baseline[i];
      sumB += candidate[i];
    }
    Interval interval = settings.bootstrap().interval(Statistics.mean(d));
    ConfidenceSequence cs = new ConfidenceSequence(settings.alpha(), settings.sequenceTunedFor());
    int every = Math.max(1, n / 500);
    List<ConfidenceSequence.Bound> path = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cs.add(d[i]);
      if (i >= 1 && ((i + 1) % every == 0 || i == n - 1)) {
        path.add(cs.bound());
      }
    }
    return new PairedComparison(
        n,
        sumA / n,
        sumB / n,
        interval,
        TTest.paired(d, settings.confidence()),
        WilcoxonSignedRank.test(d),
        List.copyOf(path),
        n >= settings.minimumPairs());
  }
}
