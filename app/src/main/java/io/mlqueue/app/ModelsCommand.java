package io.mlqueue.app;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.FitMetrics;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.TrainingRun;
import io.mlqueue.model.drift.ProfileFile;
import io.mlqueue.model.drift.ReferenceProfiles;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.mlflow.MlflowExport;
import io.mlqueue.model.mlflow.MlflowImport;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.registry.RunRecord;
import io.mlqueue.stats.drift.ReferenceProfile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mlqueue models list|versions|add|export|alias|unalias}: the model registry from the
 * command line.
 */
@Command(
    name = "models",
    description =
        "The model registry: list models and versions, add ONNX models and MLflow model"
            + " directories as versions, export versions as MLflow model directories, point aliases"
            + " at versions.",
    subcommands = {
      ModelsCommand.ListModels.class,
      ModelsCommand.Versions.class,
      ModelsCommand.Add.class,
      ModelsCommand.Export.class,
      ModelsCommand.Alias.class,
      ModelsCommand.Unalias.class
    })
final class ModelsCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "list", description = "Every model name with its latest version and its aliases.")
  static final class ListModels implements Callable<Integer> {
    @Mixin RegistryOption registry;

    @Override
    public Integer call() throws Exception {
      ModelRegistry r = registry.open();
      List<String> names = r.names();
      if (names.isEmpty()) {
        System.out.println("no models in " + r.root());
        return 0;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NAME", "LATEST", "VERSIONS", "ALIASES"});
      for (String name : names) {
        List<Integer> versions = r.versions(name);
        rows.add(
            new String[] {
              name,
              versions.isEmpty() ? "-" : String.valueOf(versions.get(versions.size() - 1)),
              String.valueOf(versions.size()),
              aliasList(r.aliases(name))
            });
      }
      print(rows);
      return 0;
    }

    private static String aliasList(SortedMap<String, Integer> aliases) {
      if (aliases.isEmpty()) {
        return "-";
      }
      List<String> parts = new ArrayList<>();
      aliases.forEach((alias, version) -> parts.add(alias + " -> " + version));
      return String.join(", ", parts);
    }
  }

  @Command(
      name = "versions",
      description =
          "Each version of a model: its format (linear, tribuo, or onnx imported by 'models add'),"
              + " its algorithm and parameters, when it was made; for a trained one, on how many"
              + " rows of which data, its in-sample and cross-validated metrics; for an imported"
              + " one, the file it came from; the aliases pointing at it.")
  static final class Versions implements Callable<Integer> {
    @Mixin RegistryOption registry;

    @Parameters(index = "0", paramLabel = "NAME", description = "The model name.")
    String name;

    @Override
    public Integer call() throws Exception {
      ModelRegistry r = registry.open();
      List<Integer> versions = r.versions(name);
      if (versions.isEmpty()) {
        throw new IllegalArgumentException(
            "model '" + name + "' is not in the registry " + r.root());
      }
      SortedMap<String, Integer> aliases = r.aliases(name);
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {
            "VERSION", "FORMAT", "ALGO", "PARAMS", "CREATED", "ROWS", "DATA", "MAE", "RMSE", "R2",
            "CV_MAE", "CV_RMSE", "CV_R2", "ALIASES"
          });
      for (int v : versions) {
        RunRecord run = r.run(name, v);
        List<String> pointing = new ArrayList<>();
        for (Map.Entry<String, Integer> e : aliases.entrySet()) {
          if (e.getValue() == v) {
            pointing.add(e.getKey());
          }
        }
        String format = run.format().label();
        String created = run.createdAt().truncatedTo(ChronoUnit.SECONDS).toString();
        String aliasList = pointing.isEmpty() ? "-" : String.join(", ", pointing);
        if (run.isImported()) {
          // Not trained here: no training rows, no metrics to show.
          RunRecord.Import imported = run.importedFrom().orElseThrow();
          rows.add(
              new String[] {
                String.valueOf(v),
                format,
                RunsCommand.algorithm(run),
                "-",
                created,
                "-",
                imported.sha256().substring(0, 8) + " " + imported.sourceFile(),
                "-",
                "-",
                "-",
                "-",
                "-",
                "-",
                aliasList
              });
          continue;
        }
        TrainingRun trained = run.trained().orElseThrow();
        FitMetrics in = trained.inSample();
        FitMetrics cv = trained.crossValidated().map(c -> c.mean()).orElse(null);
        rows.add(
            new String[] {
              String.valueOf(v),
              format,
              trained.algorithm(),
              RunsCommand.parameters(trained),
              created,
              String.valueOf(trained.rows()),
              trained.dataSha256().substring(0, 8) + " " + trained.dataFile(),
              number(in.mae()),
              number(in.rmse()),
              number(in.r2()),
              cv == null ? "-" : number(cv.mae()),
              cv == null ? "-" : number(cv.rmse()),
              cv == null ? "-" : number(cv.r2()),
              aliasList
            });
      }
      print(rows);
      return 0;
    }
  }

  static String number(double x) {
    return String.format(Locale.ROOT, "%.4g", x);
  }

  @Command(
      name = "add",
      description =
          "Register a model made elsewhere as the next version of NAME: an ONNX regression model"
              + " (--file) or an MLflow model directory with an onnx flavor (--mlflow; see"
              + " docs/MODEL_FORMAT.md). It is loaded and checked as the worker would, then copied"
              + " into the registry, served as NAME:VERSION.")
  static final class Add implements Callable<Integer> {
    @Mixin RegistryOption registry;

    @Parameters(index = "0", paramLabel = "NAME", description = "The model name.")
    String name;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
      @Option(
          names = "--file",
          required = true,
          paramLabel = "FILE",
          description = "The ONNX model file (.onnx).")
      Path file;

      @Option(
          names = "--mlflow",
          required = true,
          paramLabel = "DIR",
          description =
              "An MLflow model directory (its MLmodel names an onnx flavor, as"
                  + " mlflow.onnx.save_model writes it); the signature names the features and"
                  + " target, run_id and model_uuid are kept in the run record.")
      Path mlflow;
    }

    @Option(
        names = "--alias",
        paramLabel = "ALIAS",
        description = "Point ALIAS (e.g. production, staging) at the new version.")
    String alias;

    @Option(
        names = "--data",
        paramLabel = "CSV",
        description =
            "With --file: the model's reference data (a CSV with its features and --target), profiled"
                + " with the model's predictions and stored beside the version for drift monitoring"
                + " (docs/MONITORING.md).")
    Path data;

    @Option(
        names = "--target",
        paramLabel = "COLUMN",
        defaultValue = "target",
        description = "With --data: the target column (default: ${DEFAULT-VALUE}).")
    String target;

    @Override
    public Integer call() throws Exception {
      ModelRegistry r = registry.open();
      if (data != null && source.file == null) {
        throw new IllegalArgumentException("--data is taken with --file (an ONNX model) only");
      }
      ModelRegistry.VersionExtras extras = ModelRegistry.VersionExtras.NONE;
      if (data != null) {
        ReferenceProfile profile;
        try (ServableModel m = ModelFormat.ONNX.load(source.file)) {
          profile = ReferenceProfiles.of(Dataset.load(data, target), m);
        }
        extras = ProfileFile.extras(profile);
      }
      ModelRegistry.Added added =
          source.mlflow != null
              ? MlflowImport.add(r, name, source.mlflow, alias, Clock.systemUTC())
              : r.addOnnx(name, source.file, alias, Clock.systemUTC(), extras);
      RunRecord.Import imported = added.run().importedFrom().orElseThrow();
      System.out.println("registered " + name + " version " + added.version() + " in " + r.root());
      String from =
          imported
              .fromMlflow()
              .map(
                  m ->
                      "mlflow "
                          + imported.sourceFile()
                          + " ("
                          + m.flavor()
                          + " flavor, run "
                          + (m.runId() == null ? "-" : m.runId())
                          + ", model_uuid "
                          + (m.modelUuid() == null ? "-" : m.modelUuid())
                          + ", sha256 "
                          + imported.sha256().substring(0, 8)
                          + ")")
              .orElse(
                  "onnx "
                      + imported.sourceFile()
                      + " (sha256 "
                      + imported.sha256().substring(0, 8)
                      + ", declares "
                      + imported.declaredName()
                      + ":"
                      + imported.declaredVersion()
                      + ")");
      System.out.println(
          from
              + ", served as "
              + name
              + ":"
              + added.version()
              + ": "
              + imported.features().size()
              + " features "
              + imported.features()
              + " -> "
              + imported.target());
      if (alias != null) {
        System.out.println(aliasMove("alias " + alias, added.previousAlias(), added.version()));
      }
      return 0;
    }
  }

  @Command(
      name = "export",
      description =
          "Write a version as an MLflow model directory (MLmodel with the onnx and python_function"
              + " flavors, signature, input example): a linear version as an ONNX graph, an ONNX"
              + " version copied. MLflow's tools (mlflow.pyfunc.load_model, mlflow models serve)"
              + " load it.")
  static final class Export implements Callable<Integer> {
    @Mixin RegistryOption registry;

    @Parameters(
        index = "0",
        paramLabel = "NAME@ALIAS|NAME:VERSION",
        description = "The version to export.")
    String version;

    @Option(
        names = "--mlflow",
        required = true,
        paramLabel = "DIR",
        description = "The MLflow model directory to write; must not exist or be empty.")
    Path dir;

    @Option(
        names = "--data",
        paramLabel = "FILE",
        description =
            "CSV whose first rows become the input example (it must have the version's feature"
                + " columns and its target); default: the built-in diabetes data.")
    Path data;

    @Override
    public Integer call() throws Exception {
      ModelRegistry r = registry.open();
      VersionArgument v = VersionArgument.resolve(r, version);
      RunRecord run = r.run(v.name(), v.version());
      Dataset example = data == null ? Dataset.builtIn() : Dataset.load(data, run.target());
      MlflowExport.export(r, v.name(), v.version(), dir, example, Clock.systemUTC());
      System.out.println(
          "exported "
              + v
              + " ("
              + run.format().label()
              + ") to "
              + dir
              + " as an MLflow model: MLmodel, model.onnx, signature "
              + run.features()
              + " -> "
              + run.target()
              + ", input example from "
              + example.name());
      return 0;
    }
  }

  @Command(name = "alias", description = "Point ALIAS of model NAME at VERSION (set or move it).")
  static final class Alias implements Callable<Integer> {
    @Mixin RegistryOption registry;

    @Parameters(index = "0", paramLabel = "NAME", description = "The model name.")
    String name;

    @Parameters(index = "1", paramLabel = "ALIAS", description = "e.g. production, staging.")
    String alias;

    @Parameters(index = "2", paramLabel = "VERSION", description = "An existing version number.")
    int version;

    @Override
    public Integer call() throws Exception {
      OptionalInt old = registry.open().setAlias(name, alias, version);
      System.out.println(aliasMove(name + " " + alias, old, version));
      return 0;
    }
  }

  @Command(name = "unalias", description = "Remove ALIAS of model NAME.")
  static final class Unalias implements Callable<Integer> {
    @Mixin RegistryOption registry;

    @Parameters(index = "0", paramLabel = "NAME", description = "The model name.")
    String name;

    @Parameters(index = "1", paramLabel = "ALIAS", description = "The alias to remove.")
    String alias;

    @Override
    public Integer call() throws Exception {
      int old = registry.open().removeAlias(name, alias);
      System.out.println(name + " " + alias + ": " + old + " -> (none)");
      return 0;
    }
  }

  /** {@code "<what>: 1 -> 2"}, or {@code "(none) -> 2"} when the alias was not set before. */
  static String aliasMove(String what, OptionalInt before, int after) {
    return what
        + ": "
        + (before.isPresent() ? String.valueOf(before.getAsInt()) : "(none)")
        + " -> "
        + after;
  }

  /** Prints rows as left-aligned columns, two spaces apart. */
  static void print(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(
            i == row.length - 1 ? row[i] : String.format("%-" + (width[i] + 2) + "s", row[i]));
      }
      System.out.println(line.toString().stripTrailing());
    }
  }
}
