package io.mlqueue.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinearModelTest {
  private static final List<String> DIABETES_FEATURES =
      List.of("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6");

  private static LinearModel small() {
    return new LinearModel("m", "1", List.of("a", "b"), "y", 10, new double[] {2, -3}, null);
  }

  @Test
  void predictsInterceptPlusDotProduct() {
    LinearModel m = small();
    assertThat(m.predict(new double[] {1, 1})).isEqualTo(9.0);
    double[] out = new double[2];
    m.predictBatch(new double[][] {{0, 0}, {0.5, 2}}, out);
    assertThat(out).containsExactly(10.0, 5.0);
    assertThatThrownBy(() -> m.predictBatch(new double[][] {{0, 0}}, new double[2]))
        .hasMessage("1 rows but room for 2 predictions");
  }

  @Test
  void checkFeaturesSaysWhatIsWrong() {
    LinearModel m = new LinearModel("m", "1", DIABETES_FEATURES, "target", 0, new double[10], null);
    assertThatThrownBy(() -> m.checkFeatures(new double[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 10 features (age, sex, bmi, bp, s1, s2, s3, s4, s5, s6), got 3");
    double[] row = new double[10];
    row[2] = Double.NaN;
    assertThatThrownBy(() -> m.checkFeatures(row))
        .hasMessage("feature 2 (bmi) is NaN, not a finite number");
    row[2] = 0;
    row[9] = Double.NEGATIVE_INFINITY;
    assertThatThrownBy(() -> m.checkFeatures(row))
        .hasMessage("feature 9 (s6) is -Infinity, not a finite number");
    assertThatThrownBy(() -> m.checkFeatures(null)).hasMessage("no features given (null)");
    row[9] = 0;
    m.checkFeatures(row);
  }

  @Test
  void identityAndAccessors() {
    LinearModel m = small();
    assertThat(m.id()).isEqualTo("m:1");
    assertThat(m.featureCount()).isEqualTo(2);
    assertThat(m.coefficient("b")).isEqualTo(-3.0);
    assertThat(m.provenance()).isEmpty();
    m.coefficients()[0] = 99;
    assertThat(m.coefficient("a")).as("coefficients() is a copy").isEqualTo(2.0);
    assertThatThrownBy(() -> m.coefficient("z"))
        .hasMessage("model m:1 has no feature 'z'; it has [a, b]");
    assertThat(m).isEqualTo(small()).hasSameHashCodeAs(small());
  }

  @Test
  void constructorRejectsInconsistentModels() {
    List<String> ab = List.of("a", "b");
    assertThatThrownBy(() -> new LinearModel("m", "1", ab, "y", 0, new double[3], null))
        .hasMessage("2 feature names but 3 coefficients");
    assertThatThrownBy(
            () -> new LinearModel("m", "1", List.of("a", "a"), "y", 0, new double[2], null))
        .hasMessage("feature 'a' is listed twice");
    assertThatThrownBy(() -> new LinearModel("m:x", "1", ab, "y", 0, new double[2], null))
        .hasMessage("model name 'm:x' may use only letters, digits, '.', '_' and '-'");
    assertThatThrownBy(
            () -> new LinearModel("m", "1", ab, "y", 0, new double[] {1, Double.NaN}, null))
        .hasMessage("coefficient of 'b' is not a finite number: NaN");
    assertThatThrownBy(
            () -> new LinearModel("m", "1", ab, "y", Double.POSITIVE_INFINITY, new double[2], null))
        .hasMessage("intercept is not a finite number: Infinity");
    assertThatThrownBy(() -> new LinearModel("m", "1", List.of(), "y", 0, new double[0], null))
        .hasMessage("a model needs at least one feature");
  }
}
