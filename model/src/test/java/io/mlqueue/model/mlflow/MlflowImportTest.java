package io.mlqueue.model.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.registry.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code models add --mlflow} against MLflow model directories written as MLflow writes them (test
 * resources mlflow/, made by mlflow/make_fixtures.py with Debian's python3-onnx): the onnx flavor
 * with a column signature, an ONNX python_function with a tensor signature, and the two refusals, a
 * signature that does not match the graph and a pickled scikit-learn model.
 */
class MlflowImportTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
  static final Dataset DATA = Dataset.builtIn();

  @TempDir Path dir;

  static Path fixture(String name) throws Exception {
    return Path.of(MlflowImportTest.class.getResource("/mlflow/" + name).toURI());
  }

  private ModelRegistry registry() {
    return new ModelRegistry(dir.resolve("registry"));
  }

  private static double[] expected() throws Exception {
    JsonNode f = StrictJson.MAPPER.readTree(Files.readString(fixture("expected_predictions.json")));
    double[] out = new double[f.get("predictions").size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.get("predictions").get(i).doubleValue();
    }
    return out;
  }

  @Test
  void theOnnxFlavorIsAVersionNamedByItsSignatureAndTracedToItsRun() throws Exception {
    ModelRegistry registry = registry();
    ModelRegistry.Added added =
        MlflowImport.add(registry, "diabetes", fixture("onnx-flavor"), "production", CLOCK);

    assertThat(added.version()).isEqualTo(1);
    RunRecord run = registry.run("diabetes", 1);
    assertThat(run.format()).isEqualTo(ModelFormat.ONNX);
    RunRecord.Import imported = run.importedFrom().orElseThrow();
    assertThat(imported.sourceFile()).isEqualTo("onnx-flavor/model.onnx");
    assertThat(imported.features()).isEqualTo(DATA.featureNames());
    assertThat(imported.target()).isEqualTo("target");
    RunRecord.MlflowOrigin mlflow = imported.fromMlflow().orElseThrow();
    assertThat(mlflow.runId()).isEqualTo("8f4e2a1b9c7d4e3f8a6b5c4d3e2f1a0b");
    assertThat(mlflow.modelUuid()).isEqualTo("2c7f1d3b0a5e4f6b9c8d7e6f5a4b3c2d");
    assertThat(mlflow.flavor()).isEqualTo("onnx");
    assertThat(mlflow.artifactPath()).isEqualTo("model");
    assertThat(mlflow.mlflowVersion()).isEqualTo("2.17.2");
    assertThat(mlflow.createdAt()).isEqualTo("2024-10-03 14:22:05.123456");
    assertThat(RunRecord.fromJson("run.json", run.toJson())).isEqualTo(run);
    assertThat(registry.alias("diabetes", "production")).hasValue(1);

    double[] expected = expected();
    try (ServableModel model = registry.load("diabetes", 1)) {
      assertThat(model.id()).isEqualTo("diabetes:1");
      assertThat(model.featureNames()).isEqualTo(DATA.featureNames());
      double[] got = new double[DATA.size()];
      model.predictBatch(DATA.rows(), got);
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i]).as("row %d", i).isCloseTo(expected[i], within(1e-9));
      }
    }
  }

  @Test
  void anOnnxPythonFunctionWithATensorSignatureIsAVersionToo() throws Exception {
    ModelRegistry registry = registry();
    MlflowImport.add(registry, "diabetes", fixture("pyfunc-onnx"), null, CLOCK);
    RunRecord.Import imported = registry.run("diabetes", 1).importedFrom().orElseThrow();
    assertThat(imported.fromMlflow().orElseThrow().flavor()).isEqualTo("python_function");
    // A tensor names no columns, and this graph has no mlqueue metadata: positional names.
    assertThat(imported.features())
        .containsExactly("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9");
    assertThat(imported.target()).isEqualTo("variable");
    try (ServableModel model = registry.load("diabetes", 1)) {
      assertThat(model.predict(DATA.features(0))).isCloseTo(expected()[0], within(1e-9));
    }
  }

  @Test
  void aSignatureThatDoesNotMatchTheGraphIsRefusedSayingWhatWould() throws Exception {
    ModelRegistry registry = registry();
    assertThatThrownBy(
            () ->
                MlflowImport.add(registry, "diabetes", fixture("signature-mismatch"), null, CLOCK))
        .isInstanceOf(MlflowFormatException.class)
        .hasMessageContaining("signature-mismatch: its signature does not match its ONNX graph")
        .hasMessageContaining(
            "the signature has 3 input columns [age, bmi, bp] but the graph's"
                + " input 'input' has 10 columns")
        .hasMessageContaining("one column per input column, in order");
    assertThat(registry.names()).isEmpty();
  }

  @Test
  void aPickledScikitLearnModelIsRefusedSayingHowToExportIt() throws Exception {
    ModelRegistry registry = registry();
    assertThatThrownBy(
            () -> MlflowImport.add(registry, "diabetes", fixture("sklearn-pickle"), null, CLOCK))
        .isInstanceOf(MlflowFormatException.class)
        .hasMessageContaining("has the flavors [python_function, sklearn]")
        .hasMessageContaining("a pickled scikit-learn model (model.pkl, cloudpickle)")
        .hasMessageContaining("mlqueue serves ONNX graphs, not Python objects")
        .hasMessageContaining("skl2onnx")
        .hasMessageContaining("mlflow.onnx.save_model");
    assertThat(registry.names()).isEmpty();
  }

  @Test
  void aDirectoryWithoutMlmodelIsRefused() throws Exception {
    Files.createDirectories(dir.resolve("plain"));
    assertThatThrownBy(() -> MlflowImport.add(registry(), "d", dir.resolve("plain"), null, CLOCK))
        .isInstanceOf(MlflowFormatException.class)
        .hasMessageContaining("has no MLmodel file");
  }
}
