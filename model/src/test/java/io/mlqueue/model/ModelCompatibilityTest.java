package io.mlqueue.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlqueue.data.Dataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCompatibilityTest {
  private static final LinearModel MODEL =
      new LinearModel("m", "1", List.of("a", "b", "c"), "y", 0, new double[3], null);

  @Test
  void sameColumnsInTheSameOrderMatch() {
    assertThat(ModelCompatibility.mismatch(MODEL, List.of("a", "b", "c"))).isEmpty();
    ModelCompatibility.require(MODEL, List.of("a", "b", "c"));
  }

  @Test
  void namesMissingAndExtraColumns() {
    assertThat(ModelCompatibility.mismatch(MODEL, List.of("a", "b")))
        .hasValue(
            "model m:1 does not match the data: the data lacks column(s) [c] that the model"
                + " needs (model expects [a, b, c], data has [a, b])");
    assertThat(ModelCompatibility.mismatch(MODEL, List.of("a", "b", "c", "d")))
        .hasValueSatisfying(
            m -> assertThat(m).contains("the data has column(s) [d] that the model does not use"));
    assertThat(ModelCompatibility.mismatch(MODEL, List.of("a", "x", "c")))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .contains(
                        "lacks column(s) [b]", "has column(s) [x] that the model does not use"));
  }

  @Test
  void namesAReordering() {
    assertThat(ModelCompatibility.mismatch(MODEL, List.of("a", "c", "b")))
        .hasValue(
            "model m:1 does not match the data: same columns in a different order; the model"
                + " expects [a, b, c] but the data has [a, c, b] (first difference at position 1:"
                + " model 'b', data 'c')");
    assertThatThrownBy(() -> ModelCompatibility.require(MODEL, List.of("c", "b", "a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different order");
  }

  @Test
  void namesDuplicatesAndAnotherTarget() {
    assertThat(ModelCompatibility.mismatch(MODEL, List.of("a", "b", "c", "a")))
        .hasValueSatisfying(m -> assertThat(m).contains("column(s) [a] more than once"));
    Dataset data =
        new Dataset("d", List.of("a", "b", "c"), "z", new double[][] {{1, 2, 3}}, new double[] {1});
    assertThat(ModelCompatibility.mismatch(MODEL, data))
        .hasValue(
            "model m:1 does not match the data: the model predicts 'y' but the data's target"
                + " is 'z'");
  }
}
