package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.model.ModelArtifact;
import io.mlqueue.model.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code train --register} and {@code models …} on a registry in a temporary directory. */
class ModelsCommandTest {
  @TempDir Path dir;

  private Path csv(String name, int rows, double slope) throws Exception {
    StringBuilder text = new StringBuilder("a,b,y\n");
    for (int i = 0; i < rows; i++) {
      text.append(i)
          .append(',')
          .append(i * i % 7)
          .append(',')
          .append(3 + slope * i - (i * i % 7))
          .append('\n');
    }
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void trainRegistersVersionsThatModelsListsAndAliasesMove() throws Exception {
    String registry = dir.resolve("reg").toString();
    CommandRun first =
        CommandRun.of(
            "train",
            "--data",
            csv("one.csv", 20, 2).toString(),
            "--target",
            "y",
            "--register",
            "lin",
            "--alias",
            "production",
            "--registry",
            registry);
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("registered lin version 1")
        .contains("alias production: (none) -> 1")
        .contains("5-fold cross-validation");

    Path out = dir.resolve("copy.json");
    CommandRun second =
        CommandRun.of(
            "train",
            "--data",
            csv("two.csv", 30, 5).toString(),
            "--target",
            "y",
            "--register",
            "lin",
            "--registry",
            registry,
            "--out",
            out.toString());
    assertThat(second.out())
        .contains("registered lin version 2")
        .contains("wrote " + out + ": lin:2");
    assertThat(ModelArtifact.read(out))
        .isEqualTo(new ModelRegistry(dir.resolve("reg")).load("lin", 2));

    CommandRun list = CommandRun.of("models", "list", "--registry", registry);
    assertThat(list.out().lines())
        .containsExactly(
            "NAME  LATEST  VERSIONS  ALIASES", "lin   2       2         production -> 1");

    CommandRun versions = CommandRun.of("models", "versions", "lin", "--registry", registry);
    assertThat(versions.exit()).isZero();
    String sha1 = ModelRegistryHash.of(dir.resolve("one.csv")).substring(0, 8);
    assertThat(versions.out().lines()).hasSize(3);
    assertThat(versions.out().lines().toList().get(0).split(" +"))
        .containsExactly(
            "VERSION", "FORMAT", "ALGO", "PARAMS", "CREATED", "ROWS", "DATA", "MAE", "RMSE", "R2",
            "CV_MAE", "CV_RMSE", "CV_R2", "ALIASES");
    assertThat(versions.out().lines().toList().get(1))
        .startsWith("1 ")
        .contains(" linear ")
        .contains(" ols ")
        .contains(" fit_intercept=true ")
        .contains(" 20 ")
        .contains(sha1 + " one.csv")
        .endsWith("production");
    assertThat(versions.out().lines().toList().get(2))
        .startsWith("2 ")
        .contains(" 30 ")
        .endsWith("-");

    CommandRun alias =
        CommandRun.of("models", "alias", "lin", "production", "2", "--registry", registry);
    assertThat(alias.out().strip()).isEqualTo("lin production: 1 -> 2");
    CommandRun staging =
        CommandRun.of("models", "alias", "lin", "staging", "1", "--registry", registry);
    assertThat(staging.out().strip()).isEqualTo("lin staging: (none) -> 1");
    assertThat(CommandRun.of("models", "list", "--registry", registry).out())
        .contains("production -> 2, staging -> 1");

    CommandRun unalias =
        CommandRun.of("models", "unalias", "lin", "staging", "--registry", registry);
    assertThat(unalias.out().strip()).isEqualTo("lin staging: 1 -> (none)");
    CommandRun again = CommandRun.of("models", "unalias", "lin", "staging", "--registry", registry);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err().strip())
        .isEqualTo("mlqueue unalias: model 'lin' has no alias 'staging' (it has production)");
  }

  @Test
  void modelsAddRegistersAnOnnxFileThatVersionsShowsAsImported() throws Exception {
    String registry = dir.resolve("reg").toString();
    CommandRun.of(
        "train",
        "--data",
        csv("one.csv", 20, 2).toString(),
        "--target",
        "y",
        "--register",
        "lin",
        "--alias",
        "production",
        "--registry",
        registry);
    Path file = OnnxFiles.sum(dir.resolve("exported.onnx"), 2, -1, 1);

    CommandRun add =
        CommandRun.of(
            "models",
            "add",
            "lin",
            "--file",
            file.toString(),
            "--alias",
            "production",
            "--registry",
            registry);

    assertThat(add.exit()).as(add.err()).isZero();
    String sha = ModelRegistryHash.of(file).substring(0, 8);
    assertThat(add.out().lines())
        .containsExactly(
            "registered lin version 2 in " + dir.resolve("reg"),
            "onnx exported.onnx (sha256 "
                + sha
                + ", declares exported:3), served as lin:2:"
                + " 2 features [a, b] -> y",
            "alias production: 1 -> 2");
    try (io.mlqueue.model.onnx.OnnxModel served =
        (io.mlqueue.model.onnx.OnnxModel) new ModelRegistry(dir.resolve("reg")).load("lin", 2)) {
      assertThat(served.id()).isEqualTo("lin:2");
      assertThat(served.predict(new double[] {5, 3})).isEqualTo(2 * 5 - 3);
    }

    CommandRun versions = CommandRun.of("models", "versions", "lin", "--registry", registry);
    List<String> lines = versions.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(1).split(" +")).startsWith("1", "linear", "ols");
    assertThat(lines.get(2).split("  +"))
        .containsExactly(
            "2",
            "onnx",
            "imported (file)",
            "-",
            lines.get(2).split("  +")[4],
            "-",
            sha + " exported.onnx",
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
            "production");
    assertThat(CommandRun.of("models", "list", "--registry", registry).out())
        .contains("lin   2       2         production -> 2");
  }

  @Test
  void modelsAddRefusesAGraphTheWorkerCannotServeAndRegistersNothing() throws Exception {
    String registry = dir.resolve("reg").toString();
    Path twoOutputs = OnnxFiles.sum(dir.resolve("two.onnx"), 1, 1, 2);
    Path text = dir.resolve("text.onnx");
    Files.writeString(text, "not a model");

    CommandRun refused =
        CommandRun.of(
            "models",
            "add",
            "lin",
            "--file",
            twoOutputs.toString(),
            "--alias",
            "production",
            "--registry",
            registry);
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err().strip().lines()).hasSize(1);
    assertThat(refused.err())
        .contains("two.onnx cannot be served")
        .contains("needs exactly one input and one output");
    CommandRun unreadable =
        CommandRun.of("models", "add", "lin", "--file", text.toString(), "--registry", registry);
    assertThat(unreadable.exit()).isEqualTo(1);
    assertThat(unreadable.err()).contains("text.onnx cannot be loaded by ONNX Runtime");
    CommandRun noFile = CommandRun.of("models", "add", "lin", "--registry", registry);
    assertThat(noFile.exit()).isEqualTo(2);
    assertThat(noFile.err()).contains("--file").contains("--mlflow");

    assertThat(new ModelRegistry(dir.resolve("reg")).names()).isEmpty();
    assertThat(CommandRun.of("models", "list", "--registry", registry).out())
        .startsWith("no models in ");
  }

  @Test
  void mistakesAreRefusedInOneLine() throws Exception {
    String registry = dir.resolve("reg").toString();
    String data = csv("one.csv", 20, 2).toString();
    CommandRun nowhere = CommandRun.of("train", "--data", data, "--target", "y");
    assertThat(nowhere.exit()).isEqualTo(1);
    assertThat(nowhere.err()).contains("--out PATH, --register NAME or both");

    CommandRun aliasOnly =
        CommandRun.of(
            "train", "--data", data, "--target", "y", "--out", "x.json", "--alias", "prod");
    assertThat(aliasOnly.err()).contains("--alias needs --register NAME");

    CommandRun badName =
        CommandRun.of(
            "train",
            "--data",
            data,
            "--target",
            "y",
            "--register",
            "../up",
            "--registry",
            registry);
    assertThat(badName.exit()).isEqualTo(1);
    assertThat(badName.err()).contains("model name '../up' may use only");
    assertThat(dir.resolve("reg")).doesNotExist();

    CommandRun badVersion =
        CommandRun.of("models", "alias", "lin", "production", "4", "--registry", registry);
    assertThat(badVersion.exit()).isEqualTo(1);
    assertThat(badVersion.err()).contains("model 'lin' is not in the registry");

    CommandRun noModel =
        CommandRun.of("models", "unalias", "lin", "production", "--registry", registry);
    assertThat(noModel.err()).contains("model 'lin' is not in the registry");
    CommandRun empty = CommandRun.of("models", "list", "--registry", registry);
    assertThat(empty.out()).startsWith("no models in ");
  }

  @Test
  void modelRefusesAnUnknownAliasOrVersionBeforeItConnects() throws Exception {
    String registry = dir.resolve("reg").toString();
    CommandRun.of(
        "train",
        "--data",
        csv("one.csv", 20, 2).toString(),
        "--target",
        "y",
        "--register",
        "lin",
        "--registry",
        registry);
    // The broker URI points nowhere: these fail at start-up, in one line.
    CommandRun alias =
        CommandRun.of(
            "model",
            "--model",
            "registry:lin@production",
            "--registry",
            registry,
            "--amqp-uri",
            "amqp://127.0.0.1:1/%2F");
    assertThat(alias.exit()).isEqualTo(1);
    assertThat(alias.err())
        .contains("model 'lin' has no alias 'production'")
        .contains("mlqueue models alias lin production VERSION");
    CommandRun version =
        CommandRun.of(
            "model",
            "--model",
            "registry:lin:2",
            "--registry",
            registry,
            "--amqp-uri",
            "amqp://127.0.0.1:1/%2F");
    assertThat(version.err()).contains("model 'lin' has no version 2 (it has [1])");
    CommandRun form =
        CommandRun.of(
            "model",
            "--model",
            "registry:lin",
            "--registry",
            registry,
            "--amqp-uri",
            "amqp://127.0.0.1:1/%2F");
    assertThat(form.err()).contains("write registry:NAME@ALIAS");
    CommandRun poll =
        CommandRun.of(
            "model",
            "--model",
            "registry:lin:1",
            "--model-poll",
            "0s",
            "--registry",
            registry,
            "--amqp-uri",
            "amqp://127.0.0.1:1/%2F");
    assertThat(poll.err()).contains("--model-poll must be positive");
  }

  @Test
  void builtinNamesTheBuiltInModelAsLeavingModelOutDoes() throws Exception {
    ModelCommand named = new ModelCommand();
    new CommandLine(named).parseArgs("--model", "builtin");
    ModelCommand unnamed = new ModelCommand();
    new CommandLine(unnamed).parseArgs();

    assertThat(named.model.load().id()).isEqualTo("diabetes-ols:builtin");
    assertThat(unnamed.model.load().id()).isEqualTo("diabetes-ols:builtin");
  }

  @Test
  void theRegistryDirectoryComesFromTheEnvironmentToo() throws Exception {
    Path reg = dir.resolve("env-reg");
    CommandLine cli =
        Main.commandLine(
            new EnvironmentDefaults(java.util.Map.of("MLQUEUE_REGISTRY", reg.toString())));
    int exit =
        cli.execute(
            "train",
            "--data",
            csv("one.csv", 20, 2).toString(),
            "--target",
            "y",
            "--register",
            "lin");
    assertThat(exit).isZero();
    assertThat(new ModelRegistry(reg).load("lin", 1).id()).isEqualTo("lin:1");
  }

  /** SHA-256 of a file, as the registry records it. */
  private static final class ModelRegistryHash {
    static String of(Path file) throws Exception {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
  }
}
