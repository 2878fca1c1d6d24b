package io.mlqueue.stats.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;

/**
 * The canary's always-valid interval ({@link TwoSampleSequence}): its figures from the closed form,
 * and A/A canaries checked after every 100 labelled rows, where it must promote in at most α of the
 * streams while Welch's fixed-sample interval checked the same way promotes far more often. The
 * figures are printed and quoted in docs/EVALUATION.md; rerun with {@code mvn -pl stats test
 * -Dtest=TwoSampleSequenceTest}.
 */
class TwoSampleSequenceTest {
  static final int STREAMS = 2000;
  static final int ROWS = 10_000;
  static final int LOOK_EVERY = 100;
  static final int MIN_ROWS = 50;
  static final double ALPHA = 0.05;

  @Test
  void theIntervalIsEachModelsSequenceAtHalfTheErrorRateJoinedByAUnionBound() {
    double[] a = {41.2, 10.5, 77.0, 3.3, 55.1, 28.8, 90.2, 12.0};
    double[] b = {30.0, 22.4, 5.6, 61.9, 18.3};
    TwoSampleSequence cs = new TwoSampleSequence(ALPHA, 100);
    for (double x : a) {
      cs.addBaseline(x);
    }
    for (double x : b) {
      cs.addCandidate(x);
    }
    // The closed form, from the samples' means and standard deviations computed here.
    double rho2 = ConfidenceSequence.rhoSquared(ALPHA / 2, 100);
    double wa = ConfidenceSequence.halfWidth(a.length, sd(a), ALPHA / 2, rho2);
    double wb = ConfidenceSequence.halfWidth(b.length, sd(b), ALPHA / 2, rho2);
    double diff = mean(a) - mean(b);
    ConfidenceSequence.Bound bound = cs.bound();
    assertThat(bound.n()).isEqualTo(13);
    assertThat(bound.mean()).isCloseTo(diff, within(1e-12));
    assertThat(bound.lower()).isCloseTo(diff - wa - wb, within(1e-9));
    assertThat(bound.upper()).isCloseTo(diff + wa + wb, within(1e-9));
    double se = Math.sqrt(sd(a) * sd(a) / a.length + sd(b) * sd(b) / b.length);
    assertThat(bound.sd() / Math.sqrt(bound.n())).isCloseTo(se, within(1e-9));
  }

  @Test
  void theIntervalMatchesOneComputedIndependentlyWithNumPy() throws Exception {
    com.fasterxml.jackson.databind.JsonNode f;
    try (java.io.InputStream in = getClass().getResourceAsStream("two_sample_fixture.json")) {
      f = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
    }
    TwoSampleSequence cs =
        new TwoSampleSequence(f.path("alpha").asDouble(), f.path("tuned_for").asLong());
    f.path("baseline").forEach(v -> cs.addBaseline(v.asDouble()));
    f.path("candidate").forEach(v -> cs.addCandidate(v.asDouble()));
    ConfidenceSequence.Bound b = cs.bound();
    assertThat(b.mean()).isCloseTo(f.path("difference").asDouble(), within(1e-9));
    assertThat(b.lower()).isCloseTo(f.path("lower").asDouble(), within(1e-9));
    assertThat(b.upper()).isCloseTo(f.path("upper").asDouble(), within(1e-9));
  }

  @Test
  void untilEachModelHasTwoRowsTheIntervalIsUnbounded() {
    TwoSampleSequence cs = new TwoSampleSequence(ALPHA, 100);
    for (int i = 0; i < 50; i++) {
      cs.addBaseline(i);
    }
    cs.addCandidate(3);
    assertThat(cs.bound().lower()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(cs.bound().upper()).isEqualTo(Double.POSITIVE_INFINITY);
    cs.addCandidate(5);
    assertThat(cs.bound().lower()).isFinite();
  }

  @Test
  void theComparisonInArrivalOrderEndsWhereTheOneWithoutOrderDoes() {
    SplittableRandom random = new SplittableRandom(3);
    double[] losses = new double[400];
    boolean[] candidate = new boolean[400];
    for (int i = 0; i < losses.length; i++) {
      candidate[i] = random.nextDouble() < 0.2;
      losses[i] = Math.abs((candidate[i] ? 40 : 50) * random.nextGaussian());
    }
    Settings settings = new Settings(ALPHA, 200, 1, 100, 10);
    UnpairedComparison ordered = UnpairedComparison.inArrivalOrder(losses, candidate, settings);
    double[] a = filter(losses, candidate, false);
    double[] b = filter(losses, candidate, true);
    UnpairedComparison unordered = UnpairedComparison.of(a, b, settings);
    assertThat(ordered.sequenceNow()).isEqualTo(unordered.sequenceNow());
    assertThat(ordered.baselineN()).isEqualTo(a.length);
    assertThat(ordered.sequence().size()).isGreaterThan(100);
    // The sequence narrows as rows arrive: its last width is the smallest of the path's.
    double last = ordered.sequenceNow().upper() - ordered.sequenceNow().lower();
    assertThat(ordered.sequence().get(10).upper() - ordered.sequence().get(10).lower())
        .isGreaterThan(last);
  }

  /**
   * What {@code STREAMS} canary streams gave.
   *
   * @param sequential share the two-sample confidence sequence promoted
   * @param naive share Welch's fixed-sample interval promoted
   * @param medianRows median rows (both models) before the sequential rule promoted
   */
  record Outcome(double sequential, double naive, double medianRows) {}

  /**
   * Canaries sending {@code share} of the rows to the challenger; absolute errors of normal errors
   * with standard deviations 50 (champion) and {@code 50 · (1 − improvement)}; 0 is an A/A test.
   */
  static Outcome simulate(double share, double improvement, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int sequential = 0;
    int naive = 0;
    int[] promotedAt = new int[STREAMS];
    for (int s = 0; s < STREAMS; s++) {
      TwoSampleSequence cs = new TwoSampleSequence(ALPHA, 1000);
      double[] mean = new double[2];
      double[] m2 = new double[2];
      int[] n = new int[2];
      boolean seqDone = false;
      boolean naiveDone = false;
      for (int i = 1; i <= ROWS && !(seqDone && naiveDone); i++) {
        int arm = random.nextDouble() < share ? 1 : 0;
        double loss = Math.abs(50 * (arm == 1 ? 1 - improvement : 1) * random.nextGaussian());
        if (arm == 1) {
          cs.addCandidate(loss);
        } else {
          cs.addBaseline(loss);
        }
        n[arm]++;
        double delta = loss - mean[arm];
        mean[arm] += delta / n[arm];
        m2[arm] += delta * (loss - mean[arm]);
        if (i % LOOK_EVERY != 0 || Math.min(n[0], n[1]) < MIN_ROWS) {
          continue;
        }
        if (!seqDone && cs.bound().lower() > 0) {
          seqDone = true;
          promotedAt[sequential++] = i;
        }
        double va = m2[0] / (n[0] - 1) / n[0];
        double vb = m2[1] / (n[1] - 1) / n[1];
        double df = (va + vb) * (va + vb) / (va * va / (n[0] - 1) + vb * vb / (n[1] - 1));
        double q = new TDistribution(null, df).inverseCumulativeProbability(1 - ALPHA / 2);
        if (!naiveDone && mean[0] - mean[1] - q * Math.sqrt(va + vb) > 0) {
          naiveDone = true;
          naive++;
        }
      }
    }
    int[] at = Arrays.copyOf(promotedAt, sequential);
    Arrays.sort(at);
    return new Outcome(
        (double) sequential / STREAMS,
        (double) naive / STREAMS,
        at.length == 0 ? Double.NaN : at[at.length / 2]);
  }

  @Test
  void inAaCanariesTheAlwaysValidRuleKeepsFalsePromotionsUnderAlphaWhereWelchDoesNot() {
    double noise = 3 * Math.sqrt(ALPHA * (1 - ALPHA) / STREAMS);
    for (double share : new double[] {0.1, 0.5}) {
      Outcome aa = simulate(share, 0, 20261205L + (long) (share * 100));
      System.out.printf(
          Locale.ROOT,
          "A/A canary at %.0f%%, %d streams of %d rows, looks every %d once each model has %d:"
              + " promoted by the two-sample confidence sequence %.2f%%, by Welch's 95%%"
              + " interval %.2f%% (alpha %.0f%%)%n",
          100 * share,
          STREAMS,
          ROWS,
          LOOK_EVERY,
          MIN_ROWS,
          100 * aa.sequential(),
          100 * aa.naive(),
          100 * ALPHA);
      assertThat(aa.sequential()).as("share %s", share).isLessThanOrEqualTo(ALPHA + noise);
      assertThat(aa.naive()).as("share %s", share).isGreaterThan(ALPHA + noise);
    }
  }

  @Test
  void aBetterChallengerOnATenthOfTheTrafficIsStillFound() {
    Outcome better = simulate(0.1, 0.2, 11);
    System.out.printf(
        Locale.ROOT,
        "canary at 10%% with 20%% smaller errors: promoted by the two-sample confidence sequence"
            + " in %.1f%% of streams (median %.0f rows of both models)%n",
        100 * better.sequential(),
        better.medianRows());
    assertThat(better.sequential()).isGreaterThan(0.9);
  }

  private static double[] filter(double[] x, boolean[] flag, boolean keep) {
    return java.util.stream.IntStream.range(0, x.length)
        .filter(i -> flag[i] == keep)
        .mapToDouble(i -> x[i])
        .toArray();
  }

  private static double mean(double[] x) {
    return Arrays.stream(x).average().orElseThrow();
  }

  private static double sd(double[] x) {
    double m = mean(x);
    return Math.sqrt(Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / (x.length - 1));
  }
}
