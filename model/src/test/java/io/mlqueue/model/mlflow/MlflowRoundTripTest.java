package io.mlqueue.model.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.Training;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.training.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export a version to an MLflow model directory, add that directory back as a new version: the same
 * predictions on all 442 rows. For a linear version (written as a double ONNX graph) and an ONNX
 * one (copied); a tree is refused in words.
 */
class MlflowRoundTripTest {
  private static final Dataset DATA = Dataset.builtIn();
  @TempDir Path dir;

  private Path diabetesCsv() throws Exception {
    Path data = dir.resolve("diabetes.csv");
    if (Files.exists(data)) {
      return data;
    }
    try (var in = Dataset.class.getResourceAsStream("diabetes.csv")) {
      Files.copy(in, data);
    }
    return data;
  }

  @Test
  void aLinearVersionExportedAndAddedBackPredictsTheSameOnEveryRow() throws Exception {
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    registry.register(
        "diabetes",
        Training.fit(
            diabetesCsv(), "target", "x", new Algorithm.Ridge(0.1), MlflowImportTest.CLOCK),
        "production");
    Path out = dir.resolve("exported");

    MlflowExport.export(registry, "diabetes", 1, out, DATA, MlflowImportTest.CLOCK);
    MlflowImport.add(registry, "diabetes", out, null, MlflowImportTest.CLOCK);

    assertThat(registry.format("diabetes", 2)).isEqualTo(ModelFormat.ONNX);
    assertSamePredictions(registry, 1, 2, 1e-9);

    // The directory is what MLflow's loaders read.
    JsonNode mlmodel = new YAMLMapper().readTree(out.resolve("MLmodel").toFile());
    assertThat(mlmodel.at("/flavors/onnx/data").asText()).isEqualTo("model.onnx");
    assertThat(mlmodel.at("/flavors/python_function/loader_module").asText())
        .isEqualTo("mlflow.onnx");
    assertThat(mlmodel.at("/utc_time_created").asText()).isEqualTo("2026-12-01 10:00:00.000000");
    assertThat(mlmodel.at("/metadata/mlqueue_model").asText()).isEqualTo("diabetes:1");
    assertThat(mlmodel.at("/metadata/mlqueue_algorithm").asText()).isEqualTo("ridge");
    JsonNode inputs = StrictJson.MAPPER.readTree(mlmodel.at("/signature/inputs").asText());
    assertThat(inputs).hasSize(10);
    assertThat(inputs.get(0).toString())
        .isEqualTo("{\"type\":\"double\",\"name\":\"age\",\"required\":true}");
    assertThat(
            StrictJson.MAPPER
                .readTree(mlmodel.at("/signature/outputs").asText())
                .get(0)
                .get("name")
                .asText())
        .isEqualTo("target");
    JsonNode example = StrictJson.MAPPER.readTree(out.resolve("input_example.json").toFile());
    assertThat(example.get("columns")).hasSize(10);
    assertThat(example.get("data").get(1).get(2).doubleValue()).isEqualTo(DATA.features(1)[2]);
    assertThat(mlmodel.at("/saved_input_example_info/artifact_path").asText())
        .isEqualTo("input_example.json");
    assertThat(
            StrictJson.MAPPER
                .readTree(out.resolve("serving_input_example.json").toFile())
                .get("dataframe_split"))
        .isEqualTo(example);
    assertThat(out.resolve("requirements.txt")).content().contains("onnxruntime");
    try (var left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).doesNotContain(".exported");
    }
  }

  @Test
  void anOnnxVersionIsCopiedAndComesBackTheSame() throws Exception {
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    MlflowImport.add(
        registry,
        "diabetes",
        MlflowImportTest.fixture("onnx-flavor"),
        null,
        MlflowImportTest.CLOCK);
    Path out = dir.resolve("again");
    MlflowExport.export(registry, "diabetes", 1, out, DATA, MlflowImportTest.CLOCK);
    assertThat(Files.readAllBytes(out.resolve("model.onnx")))
        .isEqualTo(Files.readAllBytes(registry.modelFile("diabetes", 1)));
    MlflowImport.add(registry, "diabetes", out, null, MlflowImportTest.CLOCK);
    assertSamePredictions(registry, 1, 2, 0);
  }

  @Test
  void aTreeIsRefusedInWordsAndAnExistingDirectoryIsLeftAlone() throws Exception {
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    registry.register(
        "diabetes",
        Training.fit(diabetesCsv(), "target", "x", new Algorithm.Tree(2), MlflowImportTest.CLOCK),
        null);
    assertThatThrownBy(
            () ->
                MlflowExport.export(
                    registry, "diabetes", 1, dir.resolve("t"), DATA, MlflowImportTest.CLOCK))
        .hasMessageContaining("diabetes:1 is a tree model in Tribuo's format")
        .hasMessageContaining("Tribuo 4.3 cannot write trees to ONNX")
        .hasMessageContaining("Export a linear (--algo ols or ridge) or an ONNX version");
    assertThat(dir.resolve("t")).doesNotExist();

    registry.register(
        "lin", Training.fit(diabetesCsv(), "target", "x", MlflowImportTest.CLOCK), null);
    Path busy = Files.createDirectories(dir.resolve("busy"));
    Files.writeString(busy.resolve("keep.txt"), "mine");
    assertThatThrownBy(
            () -> MlflowExport.export(registry, "lin", 1, busy, DATA, MlflowImportTest.CLOCK))
        .hasMessageContaining("exists and is not empty");
    assertThat(busy.resolve("keep.txt")).hasContent("mine");
  }

  private static void assertSamePredictions(ModelRegistry registry, int a, int b, double tolerance)
      throws Exception {
    try (ServableModel first = registry.load("diabetes", a);
        ServableModel second = registry.load("diabetes", b)) {
      assertThat(second.featureNames()).isEqualTo(first.featureNames());
      assertThat(second.targetName()).isEqualTo(first.targetName());
      double[] x = new double[DATA.size()];
      double[] y = new double[DATA.size()];
      first.predictBatch(DATA.rows(), x);
      second.predictBatch(DATA.rows(), y);
      for (int i = 0; i < x.length; i++) {
        assertThat(y[i]).as("row %d", i).isCloseTo(x[i], within(tolerance));
      }
    }
  }
}
