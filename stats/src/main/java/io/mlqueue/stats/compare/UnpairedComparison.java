package io.mlqueue.stats.compare;

import io.mlqueue.stats.bootstrap.Interval;
import io.mlqueue.stats.bootstrap.Statistics;

/**
 * Two models' losses on different rows (a canary: each request answered by one of them), compared
 * as two independent samples. The difference is {@code mean(baseline) − mean(candidate)}: positive
 * when the candidate loses less. No confidence sequence here: that needs pairs.
 *
 * @param baselineN rows of the baseline
 * @param candidateN rows of the candidate
 * @param difference difference of means with its two-sample BCa bootstrap interval
 * @param welch Welch's t test and its interval
 * @param mannWhitney the Mann–Whitney U test (of the baseline's losses against the candidate's)
 * @param conclusive whether both samples reach the minimum sample
 */
public record UnpairedComparison(
    int baselineN,
    int candidateN,
    double baselineMean,
    double candidateMean,
    Interval difference,
    TTest welch,
    MannWhitney.Result mannWhitney,
    boolean conclusive) {

  public static UnpairedComparison of(double[] baseline, double[] candidate, Settings settings) {
    if (baseline.length < 2 || candidate.length < 2) {
      throw new IllegalArgumentException(
          "an unpaired comparison needs at least 2 rows of each model, got "
              + baseline.length
              + " and "
              + candidate.length);
    }
    var a = Statistics.mean(baseline);
    var b = Statistics.mean(candidate);
    return new UnpairedComparison(
        baseline.length,
        candidate.length,
        a.estimate(),
        b.estimate(),
        settings.bootstrap().difference(a, b),
        TTest.welch(baseline, candidate, settings.confidence()),
        MannWhitney.test(baseline, candidate),
        Math.min(baseline.length, candidate.length) >= settings.minimumPairs());
  }
}
