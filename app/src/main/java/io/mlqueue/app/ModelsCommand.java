package io.mlqueue.app;

import io.mlqueue.model.FitMetrics;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.registry.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mlqueue models list|versions|alias|unalias}: the model registry from the command line. */
@Command(
    name = "models",
    description = "The model registry: list models and versions, point aliases at versions.",
    subcommands = {
      ModelsCommand.ListModels.class,
      ModelsCommand.Versions.class,
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
          "Each version of a model: when it was trained, on how many rows of which data, its"
              + " in-sample and cross-validated metrics, the aliases pointing at it.")
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
        "VERSION", "CREATED", "ROWS", "DATA", "MAE", "RMSE", "R2", "CV_MAE", "CV_RMSE", "CV_R2", "ALIASES"
      });
      for (int v : versions) {
        RunRecord run = r.run(name, v);
        FitMetrics in = run.run().inSample();
        FitMetrics cv = run.run().crossValidated().map(c -> c.mean()).orElse(null);
        List<String> pointing = new ArrayList<>();
        for (Map.Entry<String, Integer> e : aliases.entrySet()) {
          if (e.getValue() == v) {
            pointing.add(e.getKey());
          }
        }
        rows.add(new String[] {
          String.valueOf(v),
          run.run().endedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
          String.valueOf(run.run().rows()),
          run.run().dataSha256().substring(0, 8) + " " + run.run().dataFile(),
          number(in.mae()), number(in.rmse()), number(in.r2()),
          cv == null ? "-" : number(cv.mae()),
          cv == null ? "-" : number(cv.rmse()),
          cv == null ? "-" : number(cv.r2()),
          pointing.isEmpty() ? "-" : String.join(", ", pointing)
        });
      }
      print(rows);
      return 0;
    }

    private static String number(double x) {
      return String.format(Locale.ROOT, "%.4g", x);
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
      System.out.println(name + " " + alias + ": "
          + (old.isPresent() ? String.valueOf(old.getAsInt()) : "(none)") + " -> " + version);
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
