package io.mlqueue.app;

import io.mlqueue.model.FitMetrics;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.TrainingRun;
import io.mlqueue.model.registry.RunRecord;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mlqueue models list|versions|add|alias|unalias}: the model registry from the command line.
 */
@Command(
    name = "models",
    description =
        "The model registry: list models and versions, add ONNX models as versions, point aliases"
            + " at versions.",
    subcommands = {
      ModelsCommand.ListModels.class,
      ModelsCommand.Versions.class,
      ModelsCommand.Add.class,
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
        rows.add(new String[] {
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
          "Each version of a model: its kind (linear, or onnx imported by 'models add'), when it"
              + " was made; for a trained one, on how many rows of which data, its in-sample and"
              + " cross-validated metrics; for an imported one, the file it came from; the aliases"
              + " pointing at it.")
  static final class Versions implements Callable<Integer> {
    @Mixin RegistryOption registry;

    @Parameters(index = "0", paramLabel = "NAME", description = "The model name.")
    String name;

    @Override
    public Integer call() throws Exception {
      ModelRegistry r = registry.open();
      List<Integer> versions = r.versions(name);
      if (versions.isEmpty()) {
        throw new IllegalArgumentException("model '" + name + "' is not in the registry " + r.root());
      }
      SortedMap<String, Integer> aliases = r.aliases(name);
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {
        "VERSION", "KIND", "CREATED", "ROWS", "DATA", "MAE", "RMSE", "R2", "CV_MAE", "CV_RMSE",
        "CV_R2", "ALIASES"
      });
      for (int v : versions) {
        RunRecord run = r.run(name, v);
        List<String> pointing = new ArrayList<>();
        for (Map.Entry<String, Integer> e : aliases.entrySet()) {
          if (e.getValue() == v) {
            pointing.add(e.getKey());
          }
        }
        String kind = r.kind(name, v).label() + (run.isImported() ? " (imported)" : "");
        String created = run.createdAt().truncatedTo(ChronoUnit.SECONDS).toString();
        String aliasList = pointing.isEmpty() ? "-" : String.join(", ", pointing);
        if (run.isImported()) {
          // Not trained here: no training rows, no metrics to show.
          RunRecord.Import imported = run.importedFrom().orElseThrow();
          rows.add(new String[] {
            String.valueOf(v), kind, created, "-",
            imported.sha256().substring(0, 8) + " " + imported.sourceFile(),
            "-", "-", "-", "-", "-", "-", aliasList
          });
          continue;
        }
        TrainingRun trained = run.trained().orElseThrow();
        FitMetrics in = trained.inSample();
        FitMetrics cv = trained.crossValidated().map(c -> c.mean()).orElse(null);
        rows.add(new String[] {
          String.valueOf(v), kind, created,
          String.valueOf(trained.rows()),
          trained.dataSha256().substring(0, 8) + " " + trained.dataFile(),
          number(in.mae()), number(in.rmse()), number(in.r2()),
          cv == null ? "-" : number(cv.mae()),
          cv == null ? "-" : number(cv.rmse()),
          cv == null ? "-" : number(cv.r2()),
          aliasList
        });
      }
      print(rows);
      return 0;
    }

    private static String number(double x) {
      return String.format(Locale.ROOT, "%.4g", x);
    }
  }

  @Command(
      name = "add",
      description =
          "Register an ONNX regression model (see docs/MODEL_FORMAT.md) as the next version of"
              + " NAME: the file is loaded and checked as the worker would, then copied into the"
              + " registry, served as NAME:VERSION whatever its metadata names it.")
  static final class Add implements Callable<Integer> {
    @Mixin RegistryOption registry;

    @Parameters(index = "0", paramLabel = "NAME", description = "The model name.")
    String name;

    @Option(
        names = "--file",
        required = true,
        paramLabel = "FILE",
        description = "The ONNX model file (.onnx).")
    Path file;

    @Option(
        names = "--alias",
        paramLabel = "ALIAS",
        description = "Point ALIAS (e.g. production, staging) at the new version.")
    String alias;

    @Override
    public Integer call() throws Exception {
      ModelRegistry r = registry.open();
      ModelRegistry.Added added = r.addOnnx(name, file, alias, Clock.systemUTC());
      RunRecord.Import imported = added.run().importedFrom().orElseThrow();
      System.out.println("registered " + name + " version " + added.version() + " in " + r.root());
      System.out.println("onnx " + imported.sourceFile() + " (sha256 "
          + imported.sha256().substring(0, 8) + ", declares " + imported.declaredName() + ":"
          + imported.declaredVersion() + "), served as " + name + ":" + added.version() + ": "
          + imported.features().size() + " features " + imported.features() + " -> "
          + imported.target());
      if (alias != null) {
        System.out.println(aliasMove("alias " + alias, added.previousAlias(), added.version()));
      }
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
    return what + ": " + (before.isPresent() ? String.valueOf(before.getAsInt()) : "(none)")
        + " -> " + after;
  }

  /** Prints rows as left-aligned columns, two spaces apart. */
  private static void print(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : String.format("%-" + (width[i] + 2) + "s", row[i]));
      }
      System.out.println(line.toString().stripTrailing());
    }
  }
}
