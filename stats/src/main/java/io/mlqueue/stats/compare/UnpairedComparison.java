package io.mlqueue.stats.compare;

import io.mlqueue.stats.bootstrap.Interval;
import io.mlqueue.stats.bootstrap.Statistics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Two models' losses on different rows (a canary: each request answered by one of them), compared
 * as two independent samples. The difference is {@code mean(baseline) − mean(candidate)}: positive
 * when the candidate loses less. Its always-valid interval is the {@link TwoSampleSequence}: two
 * one-sample confidence sequences joined by a union bound.
 *
 * @param baselineN rows of the baseline
 * @param candidateN rows of the candidate
 * @param difference difference of means with its two-sample BCa bootstrap interval
 * @param welch Welch's t test and its interval
 * @param mannWhitney the Mann–Whitney U test (of the baseline's losses against the candidate's)
 * @param sequence the two-sample confidence sequence as the rows arrived (the last entry is the
 *     current interval), thinned to at most about 500 points; the last entry is always included
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
    List<ConfidenceSequence.Bound> sequence,
    boolean conclusive) {

  /** The current (last) confidence sequence bound. */
  public ConfidenceSequence.Bound sequenceNow() {
    return sequence.get(sequence.size() - 1);
  }

  /**
   * Compares losses given in the order they arrived, both models' in one stream: {@code
   * candidate[i]} says whose {@code losses[i]} is. The confidence sequence follows that order.
   */
  public static UnpairedComparison inArrivalOrder(
      double[] losses, boolean[] candidate, Settings settings) {
    if (losses.length != candidate.length) {
      throw new IllegalArgumentException(
          losses.length + " losses but " + candidate.length + " model flags");
    }
    TwoSampleSequence cs = new TwoSampleSequence(settings.alpha(), settings.sequenceTunedFor());
    double[] a = new double[losses.length];
    double[] b = new double[losses.length];
    int na = 0;
    int nb = 0;
    int every = Math.max(1, losses.length / 500);
    List<ConfidenceSequence.Bound> path = new ArrayList<>();
    for (int i = 0; i < losses.length; i++) {
      if (candidate[i]) {
        cs.addCandidate(losses[i]);
        b[nb++] = losses[i];
      } else {
        cs.addBaseline(losses[i]);
        a[na++] = losses[i];
      }
      if (na >= 2 && nb >= 2 && ((i + 1) % every == 0 || i == losses.length - 1)) {
        path.add(cs.bound());
      }
    }
    return compare(Arrays.copyOf(a, na), Arrays.copyOf(b, nb), path, settings);
  }

  /**
   * Compares losses whose arrival order is not known: the confidence sequence has one entry, the
   * interval after all of them (the same as {@link #inArrivalOrder} ends with).
   */
  public static UnpairedComparison of(double[] baseline, double[] candidate, Settings settings) {
    TwoSampleSequence cs = new TwoSampleSequence(settings.alpha(), settings.sequenceTunedFor());
    Arrays.stream(baseline).forEach(cs::addBaseline);
    Arrays.stream(candidate).forEach(cs::addCandidate);
    return compare(baseline, candidate, List.of(cs.bound()), settings);
  }

  private static UnpairedComparison compare(
      double[] baseline,
      double[] candidate,
      List<ConfidenceSequence.Bound> sequence,
      Settings settings) {
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
        List.copyOf(sequence),
        Math.min(baseline.length, candidate.length) >= settings.minimumPairs());
  }
}
