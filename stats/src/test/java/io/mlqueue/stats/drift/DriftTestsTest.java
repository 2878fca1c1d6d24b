package io.mlqueue.stats.drift;

import static io.mlqueue.stats.Fixtures.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each drift test against SciPy's value for the same samples (make_drift_fixtures.py). */
class DriftTestsTest {

  private static JsonNode cases() throws IOException {
    try (InputStream in =
        DriftTestsTest.class.getResourceAsStream("/io/mlqueue/stats/drift/drift_fixtures.json")) {
      return new ObjectMapper().readTree(in).get("cases");
    }
  }

  @Test
  void everyTestMatchesScipyOnEveryCase() throws IOException {
    Iterator<Map.Entry<String, JsonNode>> it = cases().fields();
    int checked = 0;
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode c = e.getValue();
      double[] ref = doubles(c.get("reference"));
      double[] cur = doubles(c.get("current"));

      TestResult ks = DriftTests.run(Method.KS, ref, cur);
      assertThat(ks.statistic())
          .as(name)
          .isCloseTo(c.get("ks").get("statistic").asDouble(), within(1e-12));
      // Above n = 140 both evaluate Pelz–Good's series, truncated differently: up to 4e-5 of the
      // p-value apart here; exact agreement below (the n = 27 case).
      assertThat(ks.value())
          .as(name)
          .isCloseTo(c.get("ks").get("p").asDouble(), withinPercentage(0.01));
      // SciPy's default (exact below 10,000 rows) stays within 0.02 of the asymptotic p here.
      assertThat(ks.value()).as(name).isCloseTo(c.get("ks").get("p_auto").asDouble(), within(0.02));

      assertThat(DriftTests.run(Method.WASSERSTEIN, ref, cur).value())
          .as(name)
          .isCloseTo(c.get("wasserstein").asDouble(), within(1e-10));
      assertThat(DriftTests.run(Method.JENSEN_SHANNON, ref, cur).value())
          .as(name)
          .isCloseTo(c.get("jensenshannon").asDouble(), within(1e-10));
      assertThat(DriftTests.run(Method.PSI, ref, cur).value())
          .as(name)
          .isCloseTo(c.get("psi").asDouble(), within(1e-10));
      if (c.has("chisquare")) {
        TestResult chi = DriftTests.run(Method.CHI_SQUARE, ref, cur);
        assertThat(chi.statistic())
            .as(name)
            .isCloseTo(c.get("chisquare").get("statistic").asDouble(), within(1e-9));
        assertThat(chi.value())
            .as(name)
            .isCloseTo(c.get("chisquare").get("p").asDouble(), within(1e-12));
      }
      if (c.has("z")) {
        TestResult z = DriftTests.run(Method.Z, ref, cur);
        assertThat(z.statistic())
            .as(name)
            .isCloseTo(c.get("z").get("statistic").asDouble(), within(1e-10));
        assertThat(z.value()).as(name).isCloseTo(c.get("z").get("p").asDouble(), within(1e-12));
      }
      checked++;
    }
    assertThat(checked).isEqualTo(7);
  }

  @Test
  void theTestIsChosenByReferenceSizeAndDistinctValuesAsEvidentlyDoes() {
    assertThat(DriftTests.choose(442, 200)).isEqualTo(Method.KS);
    assertThat(DriftTests.choose(442, 4)).isEqualTo(Method.CHI_SQUARE);
    assertThat(DriftTests.choose(442, 2)).isEqualTo(Method.Z);
    assertThat(DriftTests.choose(1000, 6)).isEqualTo(Method.KS);
    assertThat(DriftTests.choose(1001, 6)).isEqualTo(Method.WASSERSTEIN);
    assertThat(DriftTests.choose(5000, 2)).isEqualTo(Method.JENSEN_SHANNON);
  }

  @Test
  void aShiftedColumnDriftsAndTheSameOneDoesNot() throws IOException {
    JsonNode c = cases().get("normal_shift_400_200");
    ColumnDrift shifted =
        ColumnDrift.compare(doubles(c.get("reference")), doubles(c.get("current")));
    assertThat(shifted.test().method()).isEqualTo(Method.KS);
    assertThat(shifted.drifted()).isTrue();
    assertThat(shifted.psi().value()).isGreaterThan(0.1);

    JsonNode same = cases().get("normal_same_400_300");
    assertThat(
            ColumnDrift.compare(doubles(same.get("reference")), doubles(same.get("current")))
                .drifted())
        .isFalse();
  }

  @Test
  void missingValuesAreLeftOutAndABinaryColumnGetsTheZTest() throws IOException {
    JsonNode c = cases().get("binary_442_300");
    double[] cur = doubles(c.get("current"));
    double[] withGaps = java.util.Arrays.copyOf(cur, cur.length + 3);
    withGaps[cur.length] = Double.NaN;
    withGaps[cur.length + 1] = Double.NaN;
    withGaps[cur.length + 2] = Double.NaN;
    ColumnDrift d = ColumnDrift.compare(doubles(c.get("reference")), withGaps);
    assertThat(d.test().method()).isEqualTo(Method.Z);
    assertThat(d.currentRows()).isEqualTo(cur.length);
    assertThat(d.test().value()).isCloseTo(c.get("z").get("p").asDouble(), within(1e-12));
  }

  @Test
  void aValueTheReferenceNeverHadIsCertainDriftForChiSquare() {
    TestResult r =
        DriftTests.run(Method.CHI_SQUARE, new double[] {1, 2, 3, 1}, new double[] {1, 4});
    assertThat(r.value()).isEqualTo(0.0);
    assertThat(r.drifted()).isTrue();
  }

  @Test
  void sturgesBinsAreExactAtPowersOfTwo() {
    assertThat(DriftTests.sturgesBins(1024)).isEqualTo(11);
    assertThat(DriftTests.sturgesBins(1025)).isEqualTo(12);
    assertThat(DriftTests.sturgesBins(700)).isEqualTo(11);
  }
}
