package io.mlqueue.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.AtomicFiles;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.Training;
import io.mlqueue.model.TrainingRun;
import io.mlqueue.model.drift.ProfileFile;
import io.mlqueue.model.drift.ReferenceProfiles;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.registry.RunRecord;
import io.mlqueue.model.training.Algorithm;
import io.mlqueue.model.training.Algorithms;
import io.mlqueue.stats.drift.ReferenceProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlqueue train}: fits a model on a CSV file with one of the algorithms and writes the
 * artifact {@code model} loads, or registers it as the next version of a name in the registry, with
 * the record of the run; optionally reads the algorithm from a DVC-style params file and writes the
 * run's metrics for DVC.
 */
@Command(
    name = "train",
    description =
        "Fit a model on a numeric CSV file (least squares by default; --algo ridge, tree, forest or"
            + " gbt), cross-validate it, and write the model (--out) or register it as a new"
            + " version in the model registry (--register), or both (formats: docs/MODEL_FORMAT.md).")
final class TrainCommand implements Callable<Integer> {
  @Option(
      names = "--data",
      required = true,
      paramLabel = "FILE",
      description = "Numeric CSV with a header row.")
  Path data;

  @Option(
      names = "--target",
      required = true,
      paramLabel = "COLUMN",
      description = "The column to predict.")
  String target;

  @Option(
      names = "--algo",
      paramLabel = "ALGO",
      description =
          "ols (least squares, the default), ridge (--penalty), tree (--max-depth), forest (--trees,"
              + " --max-depth, --seed) or gbt (gradient-boosted trees by XGBoost: --trees,"
              + " --max-depth, --learning-rate, --seed). Linear models are written as JSON, trees"
              + " in Tribuo's format (*.tribuo).")
  String algo;

  @Option(
      names = "--penalty",
      paramLabel = "ALPHA",
      description = "ridge: weight of the squared coefficients (default 1).")
  String penalty;

  @Option(
      names = "--max-depth",
      paramLabel = "N",
      description = "tree (default 4), forest (6), gbt (3): deepest leaf.")
  String maxDepth;

  @Option(
      names = "--trees",
      paramLabel = "N",
      description = "forest (default 50), gbt (100): how many trees.")
  String trees;

  @Option(
      names = "--learning-rate",
      paramLabel = "ETA",
      description = "gbt: shrinkage of each tree (default 0.1).")
  String learningRate;

  @Option(names = "--seed", paramLabel = "N", description = "forest, gbt: random seed (default 1).")
  String seed;

  @Option(
      names = "--params",
      paramLabel = "FILE",
      description =
          "A DVC-style params file (YAML): its 'train' section gives algo and the options above"
              + " by their snake_case names (max_depth); options given on the command line win.")
  Path params;

  @Option(
      names = "--out",
      paramLabel = "PATH",
      description =
          "Where to write the model: a file (.json for linear models, .tribuo for trees), or a"
              + " directory (an existing one, or a path ending in /) to get DIR/model.json or"
              + " DIR/model.tribuo, whichever the algorithm writes.")
  String out;

  @Option(
      names = "--metrics",
      paramLabel = "FILE",
      description =
          "Write the run's algorithm, parameters, in-sample and cross-validated metrics as JSON (for DVC).")
  Path metrics;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description =
          "The model's name; its version is set from the time and the data (default: the"
              + " algorithm, e.g. ols). With --register the registered name and number are used"
              + " instead.")
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
      throw new IllegalArgumentException(
          "say where the model goes: --out PATH, --register NAME or both");
    }
    if (alias != null && register == null) {
      throw new IllegalArgumentException(
          "--alias needs --register NAME: it names a registered version");
    }
    // Before the fit, which may take a while: bad options fail at once.
    Algorithm algorithm = algorithm();
    Path outFile = out == null ? null : outFile(algorithm.format());
    if (outFile != null && ModelFormat.ofPath(outFile) != algorithm.format()) {
      throw new IllegalArgumentException(
          "--out %s: a %s model is written in the %s format; name the file *%s"
              .formatted(
                  out, algorithm.label(), algorithm.format().label(), algorithm.format().suffix()));
    }
    if (register != null) {
      ModelRegistry.checkName(register);
      if (alias != null) {
        ModelRegistry.checkAlias(alias);
      }
    }
    Training.Fit fit =
        Training.fit(
            data,
            target,
            register != null ? register : name != null ? name : algorithm.label(),
            algorithm,
            Clock.systemUTC());
    ServableModel model = fit.model();
    String registered = null;
    if (register != null) {
      ModelRegistry models = registry.open();
      // The reference the worker's drift monitor compares with: this data and these predictions.
      ReferenceProfile profile = ReferenceProfiles.of(Dataset.load(data, target), fit.model());
      ModelRegistry.Registered r =
          models.register(register, fit, alias, ProfileFile.extras(profile));
      model = r.model();
      registered = r.run().id();
      System.out.println(
          "registered " + register + " version " + r.version() + " in " + models.root());
      if (alias != null) {
        System.out.println(
            ModelsCommand.aliasMove("alias " + alias, r.previousAlias(), r.version()));
      }
    }
    if (outFile != null) {
      fit.format().write(model, outFile);
      System.out.println(
          "train: wrote "
              + outFile
              + ": "
              + model.id()
              + ", "
              + model.featureCount()
              + " features "
              + model.featureNames()
              + " -> "
              + model.targetName());
    }
    TrainingRun run = fit.run();
    System.out.println(
        "train: "
            + run.algorithm()
            + " "
            + new TreeMap<>(run.parameters())
            + " on "
            + run.rows()
            + " rows of "
            + run.dataFile()
            + ", in-sample "
            + run.inSample());
    System.out.println(
        run.crossValidated()
            .map(cv -> "train: " + cv.folds().size() + "-fold cross-validation, mean " + cv.mean())
            .orElse("train: no cross-validation: " + run.crossValidationSkipped()));
    if (metrics != null) {
      AtomicFiles.write(metrics, metricsJson(run, registered));
      System.out.println("train: wrote " + metrics);
    }
    return 0;
  }

  /** {@code --out} as a file: a directory gets the format's file name in it. */
  private Path outFile(ModelFormat format) {
    Path path = Path.of(out);
    boolean directory =
        out.endsWith("/") || out.endsWith(java.io.File.separator) || Files.isDirectory(path);
    return directory ? path.resolve(format.fileName()) : path;
  }

  /** The algorithm from --params, then the command line's options over it. */
  private Algorithm algorithm() throws java.io.IOException {
    Map<String, String> options = new LinkedHashMap<>();
    String chosen = null;
    if (params != null) {
      ParamsFile.Section section = ParamsFile.train(params);
      chosen = section.algo();
      options.putAll(section.options());
    }
    if (algo != null) {
      if (chosen != null && !chosen.equals(algo)) {
        options.clear(); // another algorithm's options do not carry over
      }
      chosen = algo;
    }
    putIfGiven(options, "penalty", penalty);
    putIfGiven(options, "max_depth", maxDepth);
    putIfGiven(options, "trees", trees);
    putIfGiven(options, "learning_rate", learningRate);
    putIfGiven(options, "seed", seed);
    return Algorithms.parse(chosen, options);
  }

  private static void putIfGiven(Map<String, String> options, String key, String value) {
    if (value != null) {
      options.put(key, value);
    }
  }

  /** What DVC's metrics read: numbers by name, the cross-validation as run.json keeps it. */
  static String metricsJson(TrainingRun run, String registered) throws java.io.IOException {
    ObjectNode root = StrictJson.MAPPER.createObjectNode();
    if (registered != null) {
      root.put("model", registered);
    }
    root.put("algorithm", run.algorithm());
    new TreeMap<>(run.parameters()).forEach(root.putObject("parameters")::put);
    root.put("rows", run.rows());
    ObjectNode in = root.putObject("in_sample");
    in.put("r2", run.inSample().r2());
    in.put("mae", run.inSample().mae());
    in.put("rmse", run.inSample().rmse());
    if (run.crossValidation() != null) {
      root.set("cross_validation", RunRecord.crossValidationJson(run.crossValidation()));
    } else {
      root.put("cross_validation_skipped", run.crossValidationSkipped());
    }
    return StrictJson.MAPPER.writeValueAsString(root) + "\n";
  }
}
