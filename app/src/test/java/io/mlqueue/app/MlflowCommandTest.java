package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code models export --mlflow} and {@code models add --mlflow} from the command line. */
class MlflowCommandTest {
  @TempDir Path dir;

  @Test
  void exportThenAddBackGivesAVersionThatPredictsTheSame() throws Exception {
    Path data = dir.resolve("diabetes.csv");
    try (var in = Dataset.class.getResourceAsStream("diabetes.csv")) {
      Files.copy(in, data);
    }
    String registry = dir.resolve("reg").toString();
    assertThat(
            CommandRun.of(
                    "train",
                    "--data",
                    data.toString(),
                    "--target",
                    "target",
                    "--register",
                    "d",
                    "--alias",
                    "production",
                    "--registry",
                    registry)
                .exit())
        .isZero();

    Path out = dir.resolve("mlflow-model");
    CommandRun export =
        CommandRun.of(
            "models",
            "export",
            "d@production",
            "--mlflow",
            out.toString(),
            "--data",
            data.toString(),
            "--registry",
            registry);
    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(export.out()).startsWith("exported d:1 (linear) to " + out + " as an MLflow model");
    assertThat(out.resolve("MLmodel")).isRegularFile();

    CommandRun add =
        CommandRun.of("models", "add", "d", "--mlflow", out.toString(), "--registry", registry);
    assertThat(add.exit()).as(add.err()).isZero();
    assertThat(add.out())
        .contains("registered d version 2")
        .contains("mlflow mlflow-model/model.onnx (onnx flavor, run -, model_uuid ")
        .contains(
            "served as d:2: 10 features [age, sex, bmi, bp, s1, s2, s3, s4, s5, s6] -> target");

    ModelRegistry r = new ModelRegistry(dir.resolve("reg"));
    Dataset rows = Dataset.builtIn();
    try (ServableModel v1 = r.load("d", 1);
        ServableModel v2 = r.load("d", 2)) {
      for (int i = 0; i < rows.size(); i++) {
        assertThat(v2.predict(rows.features(i)))
            .isCloseTo(v1.predict(rows.features(i)), org.assertj.core.data.Offset.offset(1e-9));
      }
    }
    assertThat(CommandRun.of("runs", "list", "--registry", registry).out())
        .contains("imported (mlflow)");
  }

  @Test
  void aPickleOnlyDirectoryIsRefusedInOneLineSayingWhatWouldWork() throws Exception {
    // MLflow's documented example of an MLmodel for a scikit-learn model.
    Path model = Files.createDirectories(dir.resolve("sk"));
    Files.writeString(
        model.resolve("MLmodel"),
        """
        time_created: 2018-05-25T17:28:53.35

        flavors:
          sklearn:
            sklearn_version: 0.19.1
            pickled_model: model.pkl
          python_function:
            loader_module: mlflow.sklearn
        """);
    CommandRun add =
        CommandRun.of(
            "models",
            "add",
            "d",
            "--mlflow",
            model.toString(),
            "--registry",
            dir.resolve("reg").toString());
    assertThat(add.exit()).isEqualTo(1);
    assertThat(add.err().strip().lines()).hasSize(1);
    assertThat(add.err())
        .contains(
            "has the flavors [sklearn, python_function]: a pickled"
                + " scikit-learn model (model.pkl, pickle)")
        .contains("mlflow.onnx.save_model");
  }
}
