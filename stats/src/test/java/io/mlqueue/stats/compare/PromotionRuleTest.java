package io.mlqueue.stats.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PromotionRuleTest {
  private static final Settings SETTINGS = new Settings(0.05, 500, 1, 200, 10);

  /**
   * Champion errors ~ N(0, 50), challenger's scaled by {@code factor}: losses as absolute errors.
   */
  private static PairedComparison comparison(int n, double factor) {
    SplittableRandom r = new SplittableRandom(3);
    double[] a = new double[n];
    double[] b = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = Math.abs(50 * r.nextGaussian());
      b[i] = Math.abs(50 * factor * r.nextGaussian());
    }
    return PairedComparison.of(a, b, SETTINGS);
  }

  private static PromotionRule rule(long minPairs, boolean sequential) {
    return new PromotionRule(
        "diabetes",
        "production",
        PromotionRule.Metric.MAE_DIFFERENCE,
        0,
        minPairs,
        sequential,
        0.05);
  }

  @Test
  void holdsForAClearlyBetterChallengerOnceEnoughPairsArrived() {
    PairedComparison better = comparison(3000, 0.7);
    assertThat(rule(2000, true).decide(better).holds()).isTrue();
    PromotionRule.Decision early = rule(5000, true).decide(better);
    assertThat(early.holds()).isFalse();
    assertThat(early.reason()).startsWith("not yet: 3000 pairs of the 5000 required");
  }

  @Test
  void aCanaryIsDecidedOnItsUnpairedRowsCountingTheModelWithFewer() {
    SplittableRandom r = new SplittableRandom(5);
    int n = 6000;
    double[] losses = new double[n];
    boolean[] challenger = new boolean[n];
    for (int i = 0; i < n; i++) {
      challenger[i] = r.nextDouble() < 0.25; // about 1,500 challenger rows
      losses[i] = Math.abs(50 * (challenger[i] ? 0.6 : 1) * r.nextGaussian());
    }
    UnpairedComparison canary = UnpairedComparison.inArrivalOrder(losses, challenger, SETTINGS);
    PromotionRule.Decision d = rule(1000, true).decide(canary);
    assertThat(d.holds()).as(d.reason()).isTrue();
    assertThat(d.pairs()).isEqualTo(canary.candidateN()).isLessThan(canary.baselineN());
    assertThat(d.interval()).isEqualTo("always-valid two-sample confidence sequence");
    assertThat(d.lower()).isEqualTo(canary.sequenceNow().lower());
    assertThat(d.reason())
        .contains(
            "after " + canary.baselineN() + " baseline and " + canary.candidateN() + " candidate");
    PromotionRule.Decision early = rule(2000, true).decide(canary);
    assertThat(early.holds()).isFalse();
    assertThat(early.reason())
        .startsWith(
            "not yet: " + canary.candidateN() + " rows of the model with fewer of the 2000");
    // Fixed-sample: the bootstrap interval of the difference of means, narrower.
    PromotionRule.Decision fixed = rule(1000, false).decide(canary);
    assertThat(fixed.lower()).isEqualTo(canary.difference().lower()).isGreaterThan(d.lower());
  }

  @Test
  void doesNotHoldForAWorseChallenger() {
    PromotionRule.Decision d = rule(100, true).decide(comparison(3000, 1.3));
    assertThat(d.holds()).isFalse();
    assertThat(d.upper()).isLessThan(0);
    assertThat(d.reason()).startsWith("does not hold");
  }

  @Test
  void theSequentialIntervalIsWiderThanTheFixedSampleOne() {
    PairedComparison c = comparison(3000, 1.0);
    PromotionRule.Decision seq = rule(100, true).decide(c);
    PromotionRule.Decision fixed = rule(100, false).decide(c);
    assertThat(seq.upper() - seq.lower()).isGreaterThan(fixed.upper() - fixed.lower());
    assertThat(seq.interval()).isEqualTo("always-valid confidence sequence");
  }

  @Test
  void readsARuleFileWithDefaultsAndRefusesTypos() {
    PromotionRule r =
        PromotionRule.fromTree(
            Map.of(
                "model", "diabetes", "alias", "production", "metric", "saving", "min_pairs", 500),
            "rule.yaml");
    assertThat(r)
        .isEqualTo(
            new PromotionRule(
                "diabetes", "production", PromotionRule.Metric.SAVING, 0, 500, true, 0.05));
    assertThatThrownBy(
            () ->
                PromotionRule.fromTree(
                    Map.of("model", "m", "alias", "a", "min_pair", 5), "rule.yaml"))
        .hasMessageStartingWith("rule.yaml: unknown key 'min_pair'");
    assertThatThrownBy(
            () ->
                PromotionRule.fromTree(
                    Map.of("model", "m", "alias", "a", "metric", "accuracy"), "rule.yaml"))
        .hasMessageContaining("metric 'accuracy' is not one of saving, mae_difference");
    assertThatThrownBy(() -> PromotionRule.fromTree(List.of(), "rule.yaml"))
        .hasMessageContaining("mapping");
  }
}
