package io.mlqueue.stats.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;

/**
 * Why {@code evaluate --promote} uses a confidence sequence: A/A streams (champion and challenger
 * equally good) checked after every 100 pairs. The always-valid rule must promote in at most α of
 * them (plus Monte Carlo noise), while the fixed-sample interval checked the same way promotes far
 * more often. The figures are printed and quoted in docs/EVALUATION.md; rerun with {@code mvn -pl
 * stats test -Dtest=SequentialFalseAlarmSimulationTest}.
 */
class SequentialFalseAlarmSimulationTest {
  static final int STREAMS = 2000;
  static final int PAIRS = 10_000;
  static final int LOOK_EVERY = 100;
  static final double ALPHA = 0.05;

  /**
   * What one run of {@code STREAMS} streams gave.
   *
   * @param sequential share of streams the confidence-sequence rule promoted
   * @param naive share the fixed-sample paired-t interval promoted
   * @param medianPairsToPromote median pairs before the sequential rule promoted (of those
   *     promoted)
   */
  record Outcome(double sequential, double naive, double medianPairsToPromote) {}

  /**
   * Streams of paired differences {@code |e_champion| − |e_challenger|} whose errors are normal
   * with standard deviations 50 and {@code 50 · (1 − improvement)}: 0 is an A/A test.
   */
  static Outcome simulate(double improvement, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double rho2 = ConfidenceSequence.rhoSquared(ALPHA, LOOK_EVERY * 10L);
    // The fixed-sample interval's t quantile at each look, computed once.
    double[] q = new double[PAIRS / LOOK_EVERY + 1];
    for (int k = 1; k < q.length; k++) {
      q[k] =
          new TDistribution(null, k * LOOK_EVERY - 1).inverseCumulativeProbability(1 - ALPHA / 2);
    }
    int sequential = 0;
    int naive = 0;
    int[] promotedAt = new int[STREAMS];
    for (int s = 0; s < STREAMS; s++) {
      double mean = 0;
      double m2 = 0;
      boolean seqDone = false;
      boolean naiveDone = false;
      for (int i = 1; i <= PAIRS && !(seqDone && naiveDone); i++) {
        double d =
            Math.abs(50 * random.nextGaussian())
                - Math.abs(50 * (1 - improvement) * random.nextGaussian());
        double delta = d - mean;
        mean += delta / i;
        m2 += delta * (d - mean);
        if (i % LOOK_EVERY != 0) {
          continue;
        }
        double sd = Math.sqrt(m2 / (i - 1));
        if (!seqDone && mean - ConfidenceSequence.halfWidth(i, sd, ALPHA, rho2) > 0) {
          seqDone = true;
          promotedAt[sequential++] = i;
        }
        if (!naiveDone && mean - q[i / LOOK_EVERY] * sd / Math.sqrt(i) > 0) {
          naiveDone = true;
          naive++;
        }
      }
    }
    int[] at = java.util.Arrays.copyOf(promotedAt, sequential);
    java.util.Arrays.sort(at);
    double median = at.length == 0 ? Double.NaN : at[at.length / 2];
    return new Outcome((double) sequential / STREAMS, (double) naive / STREAMS, median);
  }

  @Test
  void alwaysValidRuleKeepsFalsePromotionsUnderAlphaWhereRepeatedFixedSampleTestsDoNot() {
    Outcome aa = simulate(0, 20240612);
    System.out.printf(
        Locale.ROOT,
        "A/A, %d streams of %d pairs, looks every %d: promoted by the confidence sequence %.2f%%,"
            + " by the fixed-sample 95%% interval %.2f%% (alpha %.0f%%)%n",
        STREAMS,
        PAIRS,
        LOOK_EVERY,
        100 * aa.sequential(),
        100 * aa.naive(),
        100 * ALPHA);
    // Monte Carlo noise: the standard error of a share near 5% over 2,000 streams is 0.5%.
    assertThat(aa.sequential())
        .isLessThanOrEqualTo(ALPHA + 3 * Math.sqrt(ALPHA * (1 - ALPHA) / STREAMS));
    assertThat(aa.naive()).isGreaterThan(ALPHA + 3 * Math.sqrt(ALPHA * (1 - ALPHA) / STREAMS));
  }

  @Test
  void aRealImprovementIsStillFound() {
    Outcome better = simulate(0.05, 7);
    System.out.printf(
        Locale.ROOT,
        "challenger with 5%% smaller errors: promoted by the confidence sequence in %.1f%% of"
            + " streams (median %.0f pairs), by the fixed-sample interval in %.1f%%%n",
        100 * better.sequential(),
        better.medianPairsToPromote(),
        100 * better.naive());
    assertThat(better.sequential()).isGreaterThan(0.9);
  }
}
