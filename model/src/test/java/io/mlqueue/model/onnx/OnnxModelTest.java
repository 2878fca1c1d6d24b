package io.mlqueue.model.onnx;

import static io.mlqueue.model.onnx.TinyGraphs.DYNAMIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.mlqueue.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which graphs load, what they predict, and what a file that cannot be served says. */
class OnnxModelTest {

  @TempDir Path dir;

  private OnnxModel load(ModelProto model, String fileName) throws IOException {
    return OnnxModel.load(TinyGraphs.write(model, dir.resolve(fileName)));
  }

  @Test
  void aDoubleGraphPredictsInDoublePrecision() throws IOException {
    try (OnnxModel sum = load(TinyGraphs.rowSum(DataType.DOUBLE, DYNAMIC, 3, 1), "sum.onnx")) {
      double[][] rows = {{0.1, 0.2, 0.3}, {1e300, -1e300, 1e-300}};

      // Float would give 0.6000000238418579 and infinity.
      assertThat(sum.predict(rows)).containsExactly(0.1 + 0.2 + 0.3, 1e-300);
      assertThat(sum.isSinglePrecision()).isFalse();
    }
  }

  @Test
  void anOutputOfRankOneIsOneNumberPerRow() throws IOException {
    try (OnnxModel sum = load(TinyGraphs.rowSumRankOne(2), "sum.onnx")) {
      assertThat(sum.predict(new double[][] {{1, 2}, {3, 4}, {5, 6}})).containsExactly(3, 7, 11);
    }
  }

  @Test
  void aGraphWithAFixedBatchSizeIsRunOncePerThatManyRows() throws IOException {
    try (OnnxModel one = load(TinyGraphs.rowSum(DataType.FLOAT, 1, 2, 1), "one.onnx");
        OnnxModel four = load(TinyGraphs.rowSum(DataType.FLOAT, 4, 2, 1), "four.onnx")) {
      double[][] rows = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}};

      assertThat(one.predict(rows)).containsExactly(2, 4, 6, 8, 10);
      // Five rows: one full batch of four, then one row padded to four.
      assertThat(four.predict(rows)).containsExactly(2, 4, 6, 8, 10);
      assertThat(four.predict(new double[0][])).isEmpty();
    }
  }

  @Test
  void withoutMetadataTheNameIsTheFileNameAndTheVersionTheStartOfItsSha256() throws Exception {
    Path file =
        TinyGraphs.write(TinyGraphs.rowSum(DataType.FLOAT, DYNAMIC, 2, 1), dir.resolve("m.onnx"));
    try (OnnxModel model = OnnxModel.load(file)) {
      String sha = sha256(file);
      assertThat(model.id()).isEqualTo("m:" + sha.substring(0, 8));
      assertThat(model.featureNames()).containsExactly("f0", "f1");
      assertThat(model.targetName()).isEqualTo("Y");
    }
  }

  @Test
  void aNonFiniteResultIsReturnedForTheCallerToReport() throws IOException {
    try (OnnxModel sum = load(TinyGraphs.rowSum(DataType.FLOAT, DYNAMIC, 2, 1), "sum.onnx")) {
      double[] big = {3e38, 3e38};
      sum.checkFeatures(big); // each fits in a float; their float sum does not

      assertThat(sum.predict(big)).isEqualTo(Double.POSITIVE_INFINITY);
    }
  }

  @Test
  void checkFeaturesNamesTheWrongCountTheNonFiniteValueAndTheValueBeyondFloat() throws IOException {
    ModelProto named =
        TinyGraphs.withMetadata(
            TinyGraphs.rowSum(DataType.FLOAT, DYNAMIC, 2, 1),
            Map.of(OnnxModel.FEATURES_KEY, "bmi, bp"));
    try (OnnxModel model = load(named, "named.onnx")) {
      assertThat(model.featureNames()).containsExactly("bmi", "bp");
      assertThatThrownBy(() -> model.checkFeatures(new double[] {1}))
          .hasMessage("expected 2 features (bmi, bp), got 1");
      assertThatThrownBy(() -> model.checkFeatures(new double[] {1, Double.NaN}))
          .hasMessage("feature 1 (bp) is NaN, not a finite number");
      assertThatThrownBy(() -> model.checkFeatures(new double[] {1e300, 1}))
          .hasMessage("feature 0 (bmi) is 1.0E300, beyond the float range of the model's input");
      assertThatThrownBy(() -> model.checkFeatures(null)).hasMessage("no features given (null)");
    }
  }

  @Test
  void refusesAGraphWithTwoInputs() {
    assertThatThrownBy(() -> load(TinyGraphs.twoInputs(3), "two.onnx"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("two.onnx cannot be served")
        .hasMessageContaining("needs exactly one input and one output")
        .hasMessageContaining("2 input(s) [A[?, 3], B[?, 3]]");
  }

  @Test
  void refusesAGraphWithTwoOutputs() {
    assertThatThrownBy(() -> load(TinyGraphs.twoOutputs(3), "two.onnx"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("2 output(s) [Y[?, 1], Z[?, 1]]");
  }

  @Test
  void refusesAnInputOfRankThree() {
    assertThatThrownBy(() -> load(TinyGraphs.rankThreeInput(4), "seq.onnx"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("input 'X' must have shape [N, F]")
        .hasMessageContaining("but it is [?, 5, 4]");
  }

  @Test
  void refusesAnIntegerInput() {
    assertThatThrownBy(() -> load(TinyGraphs.rowSum(DataType.INT64, DYNAMIC, 3, 1), "int.onnx"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("input 'X' must hold float or double, but holds int64");
  }

  @Test
  void refusesAnOutputOfSeveralNumbersPerRow() {
    assertThatThrownBy(() -> load(TinyGraphs.rowSum(DataType.FLOAT, DYNAMIC, 3, 2), "wide.onnx"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("output 'Y' must have shape [N, 1] or [N]")
        .hasMessageContaining("but it is [?, 2] for input shape [?, 3]");
  }

  @Test
  void refusesMetadataThatDisagreesWithTheGraph() {
    assertThatThrownBy(() -> loadWith(Map.of(OnnxModel.FEATURES_KEY, "a,b")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("'mlqueue.features' names 2 features (a,b)")
        .hasMessageContaining("but the graph's input has 3 columns");
    assertThatThrownBy(() -> loadWith(Map.of(OnnxModel.FEATURES_KEY, "a,b,a")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("'mlqueue.features' lists 'a' twice");
    assertThatThrownBy(() -> loadWith(Map.of(OnnxModel.NAME_KEY, "my model")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("'mlqueue.name' is 'my model'; it may use only letters");
  }

  /** A three-feature float graph with {@code metadata}. */
  private OnnxModel loadWith(Map<String, String> metadata) throws IOException {
    ModelProto graph = TinyGraphs.rowSum(DataType.FLOAT, DYNAMIC, 3, 1);
    return load(TinyGraphs.withMetadata(graph, metadata), "meta.onnx");
  }

  @Test
  void aMissingFileSaysSo() {
    Path missing = dir.resolve("nowhere.onnx");
    assertThatThrownBy(() -> OnnxModel.load(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("nowhere.onnx")
        .hasMessageContaining("ONNX model not found");
  }

  @Test
  void aFileThatIsNotOnnxSaysWhichFileAndThatOnnxRuntimeCannotReadIt() throws IOException {
    Path json = Files.writeString(dir.resolve("model.onnx"), "{\"format\": \"mlqueue-model\"}");
    byte[] real = TinyGraphs.rowSum(DataType.FLOAT, DYNAMIC, 3, 1).toByteArray();
    Path truncated = Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(real, real.length / 2));

    assertThatThrownBy(() -> OnnxModel.load(json))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("ONNX model " + json + " cannot be loaded by ONNX Runtime: ");
    assertThatThrownBy(() -> OnnxModel.load(truncated))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("ONNX model " + truncated + " cannot be loaded by ONNX Runtime: ");
  }

  @Test
  void predictingAfterCloseThrowsAndCloseIsIdempotent() throws IOException {
    OnnxModel model = load(TinyGraphs.rowSum(DataType.FLOAT, DYNAMIC, 2, 1), "m.onnx");
    model.close();
    model.close();

    assertThatThrownBy(() -> model.predict(new double[] {1, 2}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageEndingWith("is closed");
  }

  @Test
  void threadsShareOneModel() throws Exception {
    try (OnnxModel sum = load(TinyGraphs.rowSum(DataType.FLOAT, DYNAMIC, 2, 1), "sum.onnx");
        ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t * 1000;
        results.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 200; i++) {
                    double[][] rows = {{offset + i, 1}, {offset, i}};
                    double[] out = sum.predict(rows);
                    if (out[0] != offset + i + 1 || out[1] != offset + i) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    }
  }

  private static String sha256(Path file) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    return HexFormat.of().formatHex(digest);
  }
}
