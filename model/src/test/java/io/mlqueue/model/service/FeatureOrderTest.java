package io.mlqueue.model.service;

import static io.mlqueue.model.onnx.TinyGraphs.DYNAMIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.mlqueue.model.onnx.OnnxModel;
import io.mlqueue.model.onnx.TinyGraphs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows given by feature name are checked exactly as positional rows are: a value the model cannot
 * take (here beyond the float range of an ONNX model's input) is refused whichever way it comes.
 */
class FeatureOrderTest {
  @TempDir Path dir;
  private OnnxModel model; // y = a + b, float input

  @BeforeEach
  void load() throws Exception {
    model =
        OnnxModel.load(
            TinyGraphs.write(
                TinyGraphs.withMetadata(
                    TinyGraphs.rowSum(DataType.FLOAT, DYNAMIC, 2, 1),
                    Map.of("mlqueue.features", "a,b", "mlqueue.target", "y")),
                dir.resolve("sum.onnx")),
            "sum",
            "1");
  }

  @AfterEach
  void close() {
    model.close();
  }

  @Test
  void namedRowsAreReorderedIntoTheModelsOrder() {
    double[][] rows = FeatureOrder.toModelOrder(model, List.of("b", "a"), new double[][] {{2, 1}});
    assertThat(rows[0]).containsExactly(1, 2);
  }

  @Test
  void positionalRowsAreChecked() {
    assertThatThrownBy(
            () -> FeatureOrder.toModelOrder(model, List.of(), new double[][] {{1, 1e39}}))
        .hasMessageContaining("feature 1 (b) is 1.0E39, beyond the float range");
  }

  @Test
  void namedRowsInAnotherOrderAreCheckedToo() {
    assertThatThrownBy(
            () -> FeatureOrder.toModelOrder(model, List.of("b", "a"), new double[][] {{1e39, 1}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("feature 1 (b) is 1.0E39, beyond the float range");
  }

  @Test
  void namedRowsInTheModelsOwnOrderAreCheckedToo() {
    assertThatThrownBy(
            () -> FeatureOrder.toModelOrder(model, List.of("a", "b"), new double[][] {{1, 1e39}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("feature 1 (b) is 1.0E39, beyond the float range");
  }
}
