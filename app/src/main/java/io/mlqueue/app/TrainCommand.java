package io.mlqueue.app;

import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ModelArtifact;
import io.mlqueue.model.Training;
import io.mlqueue.model.TrainingRun;
import io.mlqueue.model.registry.ModelRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlqueue train}: fits a model on a CSV file and writes the artifact {@code model} loads, or
 * registers it as the next version of a name in the registry, with the record of the run.
 */
@Command(
    name = "train",
    description =
        "Fit ordinary least squares on a numeric CSV file; write the model artifact (--out) or"
            + " register it as a new version in the model registry (--register), or both"
            + " (format: docs/MODEL_FORMAT.md).")
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "FILE", description = "Numeric CSV with a header row.")
  Path data;

  @Option(names = "--target", required = true, paramLabel = "COLUMN", description = "The column to predict.")
  String target;

  @Option(names = "--out", paramLabel = "PATH", description = "Where to write the artifact (JSON).")
  Path out;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      defaultValue = "ols",
      description =
          "The model's name; its version is set from the time and the data (default: ${DEFAULT-VALUE})."
              + " With --register the registered name and number are used instead.")
  String name;

  @Option(
      names = "--register",
      paramLabel = "NAME",
      description = "Register the model in the registry as the next version of NAME (1, 2, 3…).")
  String register;

  @Option(
      names = "--alias",
      paramLabel = "ALIAS",
      description = "With --register: point ALIAS (e.g. production, staging) at the new version.")
  String alias;

  @Mixin RegistryOption registry;

  @Override
  public Integer call() throws Exception {
    if (out == null && register == null) {
      throw new IllegalArgumentException("say where the model goes: --out PATH, --register NAME or both");
    }
    if (alias != null && register == null) {
      throw new IllegalArgumentException("--alias needs --register NAME: it names a registered version");
    }
    if (register != null) {
      // Before the fit, which may take a while: a bad name or alias fails at once.
      ModelRegistry.checkName(register);
      if (alias != null) {
        ModelRegistry.checkAlias(alias);
      }
    }
    Training.Fit fit = Training.fit(data, target, register != null ? register : name, Clock.systemUTC());
    LinearModel model = fit.model();
    if (register != null) {
      ModelRegistry models = registry.open();
      ModelRegistry.Registered r = models.register(register, fit, alias);
      model = r.model();
      System.out.println("registered " + register + " version " + r.version()
          + " in " + models.root());
      if (alias != null) {
        System.out.println(ModelsCommand.aliasMove("alias " + alias, r.previousAlias(), r.version()));
      }
    }
    if (out != null) {
      ModelArtifact.write(model, out);
      System.out.println("train: wrote " + out + ": " + model.id() + ", " + model.featureCount()
          + " features " + model.featureNames() + " -> " + model.targetName());
    }
    TrainingRun run = fit.run();
    System.out.println("train: " + run.rows() + " rows of " + run.dataFile() + ", in-sample " + run.inSample());
    System.out.println(
        run.crossValidated()
            .map(cv -> "train: " + cv.folds().size() + "-fold cross-validation, mean " + cv.mean())
            .orElse("train: no cross-validation: " + run.crossValidationSkipped()));
    return 0;
  }
}
