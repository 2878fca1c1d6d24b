package io.mlqueue.stats.errors;

import static io.mlqueue.stats.Fixtures.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.stats.Fixtures;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrorMetricsTest {
  private final JsonNode fx = Fixtures.get("error_metrics");

  @Test
  void matchesNumPy() {
    ErrorMetrics m = ErrorMetrics.of(doubles(fx.get("y_true")), doubles(fx.get("y_pred")));
    assertThat(m.n()).isEqualTo(200);
    assertThat(m.mae()).isCloseTo(fx.get("mae").asDouble(), within(1e-10));
    assertThat(m.rmse()).isCloseTo(fx.get("rmse").asDouble(), within(1e-10));
    assertThat(m.r2()).isCloseTo(fx.get("r2").asDouble(), within(1e-12));
  }

  @Test
  void quantilesAreNumPysDefault() {
    double[] t = doubles(fx.get("y_true"));
    double[] p = doubles(fx.get("y_pred"));
    double[] abs = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      abs[i] = Math.abs(t[i] - p[i]);
    }
    Arrays.sort(abs);
    fx.get("quantiles")
        .fields()
        .forEachRemaining(
            e ->
                assertThat(Quantiles.ofSorted(abs, Double.parseDouble(e.getKey())))
                    .isCloseTo(e.getValue().asDouble(), within(1e-10)));
  }

  @Test
  void constantTargetFollowsScikitLearn() {
    assertThat(ErrorMetrics.of(new double[] {3, 3}, new double[] {3, 3}).r2()).isEqualTo(1.0);
    assertThat(ErrorMetrics.of(new double[] {3, 3}, new double[] {3, 4}).r2()).isEqualTo(0.0);
  }

  @Test
  void accumulatorGivesTheSameFiguresAsTheArrays() {
    double[] t = doubles(fx.get("y_true"));
    double[] p = doubles(fx.get("y_pred"));
    ErrorMetrics.Accumulator a = new ErrorMetrics.Accumulator();
    for (int i = 0; i < t.length; i++) {
      a.add(t[i], p[i]);
    }
    assertThat(a.metrics()).isEqualTo(ErrorMetrics.of(t, p));
  }
}
