package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --algo …} and {@code --params} into the registry, then {@code models versions} and
 * {@code runs list|show|compare} (tables and JSON) over what was trained.
 */
class TrainAndRunsCommandTest {
  @TempDir Path dir;

  private String diabetes() throws Exception {
    Path data = dir.resolve("diabetes.csv");
    if (!Files.exists(data)) {
      try (var in = Dataset.class.getResourceAsStream("diabetes.csv")) {
        Files.copy(in, data);
      }
    }
    return data.toString();
  }

  @Test
  void algorithmsFromOptionsAndAParamsFileAreVersionsThatRunsCompare() throws Exception {
    String registry = dir.resolve("reg").toString();
    CommandRun ols =
        CommandRun.of(
            "train",
            "--data",
            diabetes(),
            "--target",
            "target",
            "--register",
            "d",
            "--alias",
            "production",
            "--registry",
            registry);
    assertThat(ols.exit()).as(ols.err()).isZero();

    Path params =
        Files.writeString(
            dir.resolve("params.yaml"),
            "train:\n  algo: forest\n  trees: 6\n  max_depth: 3\n  seed: 5\nother:\n  ignored: true\n");
    Path metrics = dir.resolve("metrics/cv.json");
    CommandRun forest =
        CommandRun.of(
            "train",
            "--data",
            diabetes(),
            "--target",
            "target",
            "--params",
            params.toString(),
            "--trees",
            "4",
            "--register",
            "d",
            "--registry",
            registry,
            "--out",
            dir.resolve("forest.tribuo").toString(),
            "--metrics",
            metrics.toString());
    assertThat(forest.exit()).as(forest.err()).isZero();
    // The command line's --trees wins over the params file's.
    assertThat(forest.out())
        .contains("registered d version 2")
        .contains(
            "train: forest {cross_validation_folds=5, feature_fraction=0.3333333333333333,"
                + " max_depth=3, min_child_weight=5, seed=5, trees=4} on 442 rows of diabetes.csv")
        .contains("5-fold cross-validation, mean r2=");
    JsonNode m = StrictJson.MAPPER.readTree(metrics.toFile());
    assertThat(m.get("model").asText()).isEqualTo("d:2");
    assertThat(m.get("algorithm").asText()).isEqualTo("forest");
    assertThat(m.at("/parameters/trees").asText()).isEqualTo("4");
    assertThat(m.at("/cross_validation/folds")).hasSize(5);
    assertThat(m.at("/cross_validation/mean/r2").asDouble()).isBetween(0.2, 0.6);
    // The written file serves as the registered version does.
    assertThat(CommandRun.of("model", "--help").out()).contains(".tribuo");

    CommandRun ridge =
        CommandRun.of(
            "train",
            "--data",
            diabetes(),
            "--target",
            "target",
            "--algo",
            "ridge",
            "--penalty",
            "0.5",
            "--register",
            "d",
            "--registry",
            registry);
    assertThat(ridge.exit()).as(ridge.err()).isZero();

    List<String> versions =
        CommandRun.of("models", "versions", "d", "--registry", registry).out().lines().toList();
    assertThat(versions).hasSize(4);
    assertThat(versions.get(1).split(" +")).startsWith("1", "linear", "ols", "fit_intercept=true");
    assertThat(versions.get(2).split(" +"))
        .startsWith(
            "2",
            "tribuo",
            "forest",
            "feature_fraction=0.3333333333333333,max_depth=3,min_child_weight=5,seed=5,trees=4");
    assertThat(versions.get(3).split(" +"))
        .startsWith("3", "linear", "ridge", "fit_intercept=true,penalty=0.5");

    CommandRun list = CommandRun.of("runs", "list", "--registry", registry);
    assertThat(list.out().lines().toList().get(0).split(" +"))
        .containsExactly(
            "RUN", "CREATED", "ALGO", "PARAMS", "DATA", "ROWS", "CV_MAE", "CV_RMSE", "CV_R2",
            "RUN_ID");
    assertThat(list.out().lines().skip(1).map(l -> l.split(" +")[0]))
        .containsExactly("d:1", "d:2", "d:3");
    JsonNode listJson =
        StrictJson.MAPPER.readTree(
            CommandRun.of("runs", "list", "--json", "--registry", registry).out());
    assertThat(listJson).hasSize(3);
    assertThat(listJson.get(1).get("algorithm").asText()).isEqualTo("forest");
    assertThat(listJson.get(1).get("modelFormat").asText()).isEqualTo("tribuo");

    CommandRun show = CommandRun.of("runs", "show", "d@production", "--registry", registry);
    assertThat(show.exit()).as(show.err()).isZero();
    assertThat(show.out())
        .contains("run            d:1")
        .contains("aliases        production")
        .contains("algorithm      ols")
        .contains("  fold 5")
        .contains("data           diabetes.csv, 442 rows");
    JsonNode shown =
        StrictJson.MAPPER.readTree(
            CommandRun.of("runs", "show", "d:3", "--json", "--registry", registry).out());
    assertThat(shown.at("/parameters/penalty").asText()).isEqualTo("0.5");

    CommandRun compare =
        CommandRun.of("runs", "compare", "d:1", "d:2", "d:3", "--registry", registry);
    List<String> table = compare.out().lines().toList();
    assertThat(table.get(0).split(" +")).containsExactly("", "d:1", "d:2", "d:3");
    assertThat(table)
        .anySatisfy(
            l -> assertThat(l.split(" +")).containsExactly("algorithm", "ols", "forest", "ridge"));
    assertThat(table)
        .anySatisfy(
            l -> assertThat(l.split(" +")).containsExactly("param", "trees", "-", "4", "-"));
    assertThat(table).anySatisfy(l -> assertThat(l).startsWith("cv mae"));
    JsonNode compared =
        StrictJson.MAPPER.readTree(
            CommandRun.of("runs", "compare", "d:1", "d:3", "--json", "--registry", registry).out());
    assertThat(compared.get("runs").toString()).isEqualTo("[\"d:1\",\"d:3\"]");
    assertThat(compared.get("rows").findValuesAsText("field"))
        .contains("algorithm", "param penalty", "cv r2");
  }

  @Test
  void badAlgorithmSettingsFailInOneLineBeforeAnyFit() throws Exception {
    String registry = dir.resolve("reg").toString();
    CommandRun wrongOption =
        CommandRun.of(
            "train",
            "--data",
            diabetes(),
            "--target",
            "target",
            "--algo",
            "ridge",
            "--trees",
            "5",
            "--register",
            "d",
            "--registry",
            registry);
    assertThat(wrongOption.exit()).isEqualTo(1);
    assertThat(wrongOption.err().strip())
        .isEqualTo(
            "mlqueue train: option(s) [--trees] do not apply to --algo ridge (it takes [--penalty])");
    CommandRun wrongFile =
        CommandRun.of(
            "train",
            "--data",
            diabetes(),
            "--target",
            "target",
            "--algo",
            "tree",
            "--out",
            dir.resolve("tree.json").toString());
    assertThat(wrongFile.err())
        .contains("a tree model is written in the tribuo format; name the file *.tribuo");
    Path noSection = Files.writeString(dir.resolve("p.yaml"), "algo: ols\n");
    CommandRun params =
        CommandRun.of(
            "train",
            "--data",
            diabetes(),
            "--target",
            "target",
            "--params",
            noSection.toString(),
            "--register",
            "d",
            "--registry",
            registry);
    assertThat(params.err()).contains("has no 'train' section");
    assertThat(new ModelRegistry(dir.resolve("reg")).names()).isEmpty();
    assertThat(CommandRun.of("runs", "show", "d:1", "--registry", registry).err())
        .contains("model 'd' is not in the registry");
  }
}
