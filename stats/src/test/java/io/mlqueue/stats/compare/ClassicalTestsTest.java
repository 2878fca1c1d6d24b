package io.mlqueue.stats.compare;

import static io.mlqueue.stats.Fixtures.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.stats.Fixtures;
import org.apache.commons.math3.stat.inference.WilcoxonSignedRankTest;
import org.junit.jupiter.api.Test;

/** Wilcoxon, paired t, Welch's t and Mann–Whitney against SciPy 1.10's results. */
class ClassicalTestsTest {

  @Test
  void wilcoxonMatchesScipyExactApproximateAndWithTiesAndZeros() {
    JsonNode fx = Fixtures.get("wilcoxon");
    for (String name : new String[] {"exact_20", "exact_50", "approx_300", "ties_zeros_200"}) {
      JsonNode c = fx.get(name);
      WilcoxonSignedRank.Result r = WilcoxonSignedRank.test(doubles(c.get("d")));
      assertThat(r.statistic()).as(name).isEqualTo(c.get("statistic").asDouble());
      assertThat(r.pValue()).as(name).isCloseTo(c.get("p").asDouble(), within(1e-12));
      assertThat(r.n()).as(name).isEqualTo(c.get("n").asLong());
      assertThat(r.zeros()).as(name).isEqualTo(c.get("zeros").asLong());
      assertThat(r.exact()).as(name).isEqualTo(name.startsWith("exact"));
    }
  }

  private static double[] formula60000() {
    double[] d = new double[60000];
    for (int i = 1; i <= d.length; i++) {
      d[i - 1] = ((i * 7919L) % 10007) - 4990;
    }
    return d;
  }

  @Test
  void wilcoxonBeyondFortySixThousandPairs() {
    JsonNode c = Fixtures.get("wilcoxon").get("formula_60000");
    WilcoxonSignedRank.Result r = WilcoxonSignedRank.test(formula60000());
    assertThat(r.statistic()).isEqualTo(c.get("statistic").asDouble());
    assertThat(r.pValue()).isCloseTo(c.get("p").asDouble(), within(1e-12));
    assertThat(r.zeros()).isEqualTo(c.get("zeros").asLong());
  }

  /**
   * Why WilcoxonSignedRank is not Commons Math's test: 3.6.1 computes N(N+1) in int, which
   * overflows past 46,340 pairs. If a new version fixes this, reconsider using it.
   */
  @Test
  void commonsMathsOwnWilcoxonOverflowsOnALargeLog() {
    double[] d = formula60000();
    double[] zeros = new double[d.length];
    assertThat(new WilcoxonSignedRankTest().wilcoxonSignedRankTest(zeros, d, false)).isNaN();
  }

  @Test
  void wilcoxonOfNoDifferenceIsNoEvidence() {
    WilcoxonSignedRank.Result r = WilcoxonSignedRank.test(new double[] {0, 0, 0});
    assertThat(r.pValue()).isEqualTo(1.0);
    assertThat(r.zeros()).isEqualTo(3);
  }

  @Test
  void pairedTMatchesScipyWithItsInterval() {
    JsonNode c = Fixtures.get("paired_t");
    double[] x = doubles(c.get("x"));
    double[] y = doubles(c.get("y"));
    double[] d = new double[x.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = x[i] - y[i];
    }
    TTest t = TTest.paired(d, 0.95);
    assertThat(t.t()).isCloseTo(c.get("t").asDouble(), within(1e-10));
    assertThat(t.pValue()).isCloseTo(c.get("p").asDouble(), within(1e-10));
    assertThat(t.degreesOfFreedom()).isEqualTo(c.get("df").asDouble());
    assertThat(t.lower()).isCloseTo(c.get("interval").get(0).asDouble(), within(1e-8));
    assertThat(t.upper()).isCloseTo(c.get("interval").get(1).asDouble(), within(1e-8));
  }

  @Test
  void pairedTFromCountMeanAndVarianceMatchesScipyToo() {
    JsonNode c = Fixtures.get("paired_t");
    double[] x = doubles(c.get("x"));
    double[] y = doubles(c.get("y"));
    double mean = 0;
    for (int i = 0; i < x.length; i++) {
      mean += (x[i] - y[i]) / x.length;
    }
    double ss = 0;
    for (int i = 0; i < x.length; i++) {
      ss += (x[i] - y[i] - mean) * (x[i] - y[i] - mean);
    }
    TTest t = TTest.paired(x.length, mean, ss / (x.length - 1), 0.95);
    assertThat(t.t()).isCloseTo(c.get("t").asDouble(), within(1e-9));
    assertThat(t.pValue()).isCloseTo(c.get("p").asDouble(), within(1e-9));
    assertThat(t.lower()).isCloseTo(c.get("interval").get(0).asDouble(), within(1e-8));
    assertThat(t.upper()).isCloseTo(c.get("interval").get(1).asDouble(), within(1e-8));
  }

  @Test
  void welchMatchesScipyWithItsInterval() {
    JsonNode c = Fixtures.get("welch");
    TTest t = TTest.welch(doubles(c.get("x")), doubles(c.get("y")), 0.95);
    assertThat(t.t()).isCloseTo(c.get("t").asDouble(), within(1e-10));
    assertThat(t.pValue()).isCloseTo(c.get("p").asDouble(), within(1e-10));
    assertThat(t.degreesOfFreedom()).isCloseTo(c.get("df").asDouble(), within(1e-9));
    assertThat(t.lower()).isCloseTo(c.get("interval").get(0).asDouble(), within(1e-8));
    assertThat(t.upper()).isCloseTo(c.get("interval").get(1).asDouble(), within(1e-8));
  }

  @Test
  void mannWhitneyMatchesScipyWithAndWithoutTies() {
    JsonNode fx = Fixtures.get("mann_whitney");
    for (String name : new String[] {"continuous", "ties"}) {
      JsonNode c = fx.get(name);
      MannWhitney.Result r = MannWhitney.test(doubles(c.get("x")), doubles(c.get("y")));
      assertThat(r.u1()).as(name).isEqualTo(c.get("u1").asDouble());
      assertThat(r.pValue()).as(name).isCloseTo(c.get("p").asDouble(), within(1e-12));
    }
  }
}
