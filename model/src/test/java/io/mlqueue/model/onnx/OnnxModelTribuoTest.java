package io.mlqueue.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model as a user brings it: Tribuo's fit of the diabetes data exported to ONNX. Served through
 * ONNX Runtime it must predict what {@link BuiltInModel}, the same fit held as coefficients in
 * double precision, predicts.
 */
class OnnxModelTribuoTest {

  /**
   * Tribuo exports in float32: inputs, weights and every intermediate are rounded to 24-bit
   * significands. The diabetes predictions lie between 25 and 320, where one float step is 2e-6 to
   * 3e-5; each prediction goes through the standardisation in Tribuo's graph and a sum of ten
   * products, each rounding once. 1e-4 allows about three float steps at the largest prediction
   * (measured: one step, 2.6e-5) and is still 400,000 times smaller than the model's own error (MAE
   * 43). A double graph would agree to about 1e-13.
   */
  private static final double FLOAT_TOLERANCE = 1e-4;

  @TempDir static Path dir;

  private static final Dataset DATA = Dataset.builtIn();
  private static final List<String> ONNX_ORDER = TribuoDiabetes.onnxFeatureOrder();
  private static OnnxModel onnx;

  @BeforeAll
  static void exportAndLoad() throws IOException {
    ModelProto exported = TribuoDiabetes.MODEL.exportONNXModel("io.mlqueue.test", 3);
    ModelProto labelled =
        TinyGraphs.withMetadata(
            exported,
            Map.of(
                OnnxModel.NAME_KEY, "diabetes-ols",
                OnnxModel.VERSION_KEY, "onnx-1",
                OnnxModel.FEATURES_KEY, String.join(",", ONNX_ORDER),
                OnnxModel.TARGET_KEY, "target"));
    onnx = OnnxModel.load(TinyGraphs.write(labelled, dir.resolve("diabetes.onnx")));
  }

  @AfterAll
  static void close() {
    onnx.close();
  }

  @Test
  void predictsAsTheLinearModelOnAll442RowsWithinFloatPrecision() {
    LinearModel reference = BuiltInModel.get();
    double[][] rows = inOnnxOrder(DATA);

    double[] predictions = onnx.predict(rows);

    assertThat(predictions).hasSize(442);
    double worst = 0;
    for (int i = 0; i < rows.length; i++) {
      double expected = reference.predict(DATA.features(i));
      assertThat(predictions[i]).as("row %d", i).isCloseTo(expected, within(FLOAT_TOLERANCE));
      worst = Math.max(worst, Math.abs(predictions[i] - expected));
    }
    // A graph that silently computed something else would be off by far more than float rounding;
    // one that computed in double would not differ at all. Float rounding lies in between.
    assertThat(worst).isGreaterThan(0).isLessThan(FLOAT_TOLERANCE);
  }

  @Test
  void aBatchPredictsWhatItsRowsPredictOneByOne() {
    double[][] rows = inOnnxOrder(DATA);
    double[] batch = onnx.predict(rows);
    double[] single = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      single[i] = onnx.predict(rows[i]);
    }
    double[] viaOut = new double[rows.length];
    onnx.predictBatch(rows, viaOut);

    assertThat(single).containsExactly(batch);
    assertThat(viaOut).containsExactly(batch);
  }

  @Test
  void takesNameVersionFeaturesAndTargetFromTheMetadata() {
    assertThat(onnx.id()).isEqualTo("diabetes-ols:onnx-1");
    assertThat(onnx.featureCount()).isEqualTo(10);
    assertThat(onnx.featureNames())
        .containsExactly("age", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "sex");
    assertThat(onnx.targetName()).isEqualTo("target");
    assertThat(onnx.isSinglePrecision()).isTrue();
  }

  @Test
  void aFileSavedByTribuoWithoutMetadataGetsItsNameFromTheFileAndNumberedFeatures()
      throws IOException {
    Path file = dir.resolve("tribuo diabetes.onnx");
    TribuoDiabetes.MODEL.saveONNXModel("io.mlqueue.test", 7, file);

    try (OnnxModel plain = OnnxModel.load(file)) {
      assertThat(plain.id()).isEqualTo("tribuo_diabetes:7");
      assertThat(plain.featureNames())
          .containsExactly("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9");
      double[][] rows = inOnnxOrder(DATA);
      assertThat(plain.predict(rows)).containsExactly(onnx.predict(rows));
    }
  }

  /** The data's rows with columns rearranged into the order the ONNX graph reads them. */
  private static double[][] inOnnxOrder(Dataset data) {
    int[] from = ONNX_ORDER.stream().mapToInt(data.featureNames()::indexOf).toArray();
    double[][] rows = new double[data.size()][from.length];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < from.length; c++) {
        rows[r][c] = data.features(r)[from[c]];
      }
    }
    return rows;
  }
}
