package io.mlqueue.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.model.CrossValidation;
import io.mlqueue.model.FitMetrics;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.TrainingRun;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.registry.RunRecord;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mlqueue runs list|show|compare}: the registry's run records to look at, as MLflow's runs
 * page shows them: when, which data, which algorithm and settings, how well in sample and
 * cross-validated, side by side; {@code --json} for scripts.
 */
@Command(
    name = "runs",
    description =
        "The registry's runs: every version's training run (or import) with its data, algorithm,"
            + " parameters and metrics; show one in full, or compare several side by side.",
    subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Compare.class})
final class RunsCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  static final class JsonOption {
    @Option(names = "--json", description = "Print JSON (run.json's fields) instead of a table.")
    boolean json;
  }

  @Command(
      name = "list",
      description = "Every run of the registry (or of the models named), oldest version first.")
  static final class ListRuns implements Callable<Integer> {
    @Mixin RegistryOption registry;
    @Mixin JsonOption output;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Only these models.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      ModelRegistry r = registry.open();
      List<RunRecord> runs = new ArrayList<>();
      for (String name : names.isEmpty() ? r.names() : names) {
        if (r.versions(name).isEmpty()) {
          throw new IllegalArgumentException(
              "model '" + name + "' is not in the registry " + r.root());
        }
        for (int v : r.versions(name)) {
          runs.add(r.run(name, v));
        }
      }
      if (output.json) {
        ArrayNode all = StrictJson.MAPPER.createArrayNode();
        runs.forEach(run -> all.add(run.toTree()));
        System.out.println(StrictJson.MAPPER.writeValueAsString(all));
        return 0;
      }
      if (runs.isEmpty()) {
        System.out.println("no runs in " + r.root());
        return 0;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {
            "RUN", "CREATED", "ALGO", "PARAMS", "DATA", "ROWS", "CV_MAE", "CV_RMSE", "CV_R2",
            "RUN_ID"
          });
      for (RunRecord run : runs) {
        String created = run.createdAt().truncatedTo(ChronoUnit.SECONDS).toString();
        TrainingRun t = run.trained().orElse(null);
        if (t == null) {
          RunRecord.Import i = run.importedFrom().orElseThrow();
          rows.add(
              new String[] {
                run.id(),
                created,
                algorithm(run),
                "-",
                i.sha256().substring(0, 8) + " " + i.sourceFile(),
                "-",
                "-",
                "-",
                "-",
                i.fromMlflow().map(m -> m.runId() == null ? "-" : shortId(m.runId())).orElse("-")
              });
          continue;
        }
        FitMetrics cv = t.crossValidated().map(CrossValidation.Result::mean).orElse(null);
        rows.add(
            new String[] {
              run.id(),
              created,
              t.algorithm(),
              parameters(t),
              t.dataSha256().substring(0, 8) + " " + t.dataFile(),
              String.valueOf(t.rows()),
              cv == null ? "-" : ModelsCommand.number(cv.mae()),
              cv == null ? "-" : ModelsCommand.number(cv.rmse()),
              cv == null ? "-" : ModelsCommand.number(cv.r2()),
              shortId(t.runId())
            });
      }
      ModelsCommand.print(rows);
      return 0;
    }
  }

  @Command(name = "show", description = "One run in full: NAME:VERSION or NAME@ALIAS.")
  static final class Show implements Callable<Integer> {
    @Mixin RegistryOption registry;
    @Mixin JsonOption output;

    @Parameters(
        index = "0",
        paramLabel = "NAME:VERSION|NAME@ALIAS",
        description = "The run's version.")
    String version;

    @Override
    public Integer call() throws Exception {
      ModelRegistry r = registry.open();
      VersionArgument v = VersionArgument.resolve(r, version);
      RunRecord run = r.run(v.name(), v.version());
      if (output.json) {
        System.out.println(StrictJson.MAPPER.writeValueAsString(run.toTree()));
        return 0;
      }
      List<String[]> lines = new ArrayList<>();
      lines.add(new String[] {"run", run.id()});
      lines.add(
          new String[] {"format", run.format().label() + " (" + run.format().fileName() + ")"});
      List<String> aliases = new ArrayList<>();
      r.aliases(v.name())
          .forEach(
              (a, n) -> {
                if (n == v.version()) {
                  aliases.add(a);
                }
              });
      lines.add(new String[] {"aliases", aliases.isEmpty() ? "-" : String.join(", ", aliases)});
      switch (run.source()) {
        case RunRecord.Trained trained -> describe(lines, trained.run());
        case RunRecord.Import imported -> describe(lines, imported);
      }
      lines.add(new String[] {"target", run.target()});
      lines.add(new String[] {"features", String.join(", ", run.features())});
      for (String[] line : lines) {
        System.out.printf("%-14s %s%n", line[0], line[1]);
      }
      return 0;
    }

    private static void describe(List<String[]> lines, TrainingRun t) {
      lines.add(new String[] {"kind", "trained"});
      lines.add(new String[] {"run id", t.runId()});
      lines.add(new String[] {"started", t.startedAt() + " (" + t.duration().toMillis() + " ms)"});
      lines.add(new String[] {"algorithm", t.algorithm()});
      lines.add(new String[] {"trainer", t.trainer()});
      lines.add(new String[] {"parameters", parameters(t)});
      lines.add(
          new String[] {
            "data", t.dataFile() + ", " + t.rows() + " rows, sha256 " + t.dataSha256()
          });
      lines.add(new String[] {"in-sample", t.inSample().toString()});
      t.crossValidated()
          .ifPresentOrElse(
              cv -> {
                lines.add(new String[] {"cv mean", cv.mean() + " (" + cv.splitter() + ")"});
                for (int f = 0; f < cv.folds().size(); f++) {
                  CrossValidation.Fold fold = cv.folds().get(f);
                  lines.add(
                      new String[] {
                        "  fold " + (f + 1), fold.testRows() + " rows, " + fold.metrics()
                      });
                }
              },
              () -> lines.add(new String[] {"cv", "none: " + t.crossValidationSkipped()}));
    }

    private static void describe(List<String[]> lines, RunRecord.Import i) {
      lines.add(new String[] {"kind", "imported " + i.importedAt()});
      lines.add(
          new String[] {
            "source", i.sourceFile() + ", " + i.bytes() + " bytes, sha256 " + i.sha256()
          });
      lines.add(new String[] {"declares", i.declaredName() + ":" + i.declaredVersion()});
      i.fromMlflow()
          .ifPresent(
              m -> {
                lines.add(new String[] {"mlflow run", String.valueOf(m.runId())});
                lines.add(new String[] {"model_uuid", String.valueOf(m.modelUuid())});
                lines.add(new String[] {"flavor", m.flavor()});
                lines.add(
                    new String[] {
                      "mlflow",
                      "version "
                          + m.mlflowVersion()
                          + ", created "
                          + m.createdAt()
                          + ", artifact_path "
                          + m.artifactPath()
                    });
              });
    }
  }

  @Command(
      name = "compare",
      description = "Runs side by side, a column each: NAME:VERSION or NAME@ALIAS.")
  static final class Compare implements Callable<Integer> {
    @Mixin RegistryOption registry;
    @Mixin JsonOption output;

    @Parameters(
        arity = "2..*",
        paramLabel = "NAME:VERSION|NAME@ALIAS",
        description = "Two or more versions.")
    List<String> versions;

    @Override
    public Integer call() throws Exception {
      ModelRegistry r = registry.open();
      List<RunRecord> runs = new ArrayList<>();
      for (String spec : versions) {
        VersionArgument v = VersionArgument.resolve(r, spec);
        runs.add(r.run(v.name(), v.version()));
      }
      Map<String, List<String>> table = table(runs);
      if (output.json) {
        ObjectNode root = StrictJson.MAPPER.createObjectNode();
        runs.forEach(run -> root.withArray("runs").add(run.id()));
        ArrayNode rows = root.putArray("rows");
        table.forEach(
            (field, values) -> {
              ObjectNode row = rows.addObject().put("field", field);
              values.forEach(row.putArray("values")::add);
            });
        System.out.println(StrictJson.MAPPER.writeValueAsString(root));
        return 0;
      }
      List<String[]> rows = new ArrayList<>();
      List<String> header = new ArrayList<>(List.of(""));
      runs.forEach(run -> header.add(run.id()));
      rows.add(header.toArray(String[]::new));
      table.forEach(
          (field, values) -> {
            List<String> row = new ArrayList<>(List.of(field));
            row.addAll(values);
            rows.add(row.toArray(String[]::new));
          });
      ModelsCommand.print(rows);
      return 0;
    }

    /** Field name to one value per run, "-" where a run has none. */
    static Map<String, List<String>> table(List<RunRecord> runs) {
      Map<String, List<String>> table = new LinkedHashMap<>();
      field(
          table,
          runs,
          "created",
          run -> run.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
      field(table, runs, "format", run -> run.format().label());
      field(table, runs, "algorithm", RunsCommand::algorithm);
      TreeSet<String> keys = new TreeSet<>();
      runs.forEach(run -> run.trained().ifPresent(t -> keys.addAll(t.parameters().keySet())));
      for (String key : keys) {
        field(
            table,
            runs,
            "param " + key,
            run -> run.trained().map(t -> t.parameters().getOrDefault(key, "-")).orElse("-"));
      }
      field(
          table,
          runs,
          "data",
          run ->
              run.trained()
                  .map(t -> t.dataFile())
                  .orElse(run.importedFrom().map(RunRecord.Import::sourceFile).orElse("-")));
      field(
          table,
          runs,
          "data sha256",
          run -> run.trained().map(t -> t.dataSha256().substring(0, 12)).orElse("-"));
      field(
          table, runs, "rows", run -> run.trained().map(t -> String.valueOf(t.rows())).orElse("-"));
      for (boolean cv : new boolean[] {false, true}) {
        metric(table, runs, cv, "mae", FitMetrics::mae);
        metric(table, runs, cv, "rmse", FitMetrics::rmse);
        metric(table, runs, cv, "r2", FitMetrics::r2);
      }
      return table;
    }

    private static void metric(
        Map<String, List<String>> table,
        List<RunRecord> runs,
        boolean cv,
        String name,
        Function<FitMetrics, Double> f) {
      if (cv) {
        field(
            table,
            runs,
            "cv " + name,
            run ->
                run.trained()
                    .flatMap(TrainingRun::crossValidated)
                    .map(c -> ModelsCommand.number(f.apply(c.mean())))
                    .orElse("-"));
      } else {
        field(
            table,
            runs,
            "in-sample " + name,
            run -> run.trained().map(t -> ModelsCommand.number(f.apply(t.inSample()))).orElse("-"));
      }
    }

    private static void field(
        Map<String, List<String>> table,
        List<RunRecord> runs,
        String name,
        Function<RunRecord, String> f) {
      table.put(name, runs.stream().map(f).toList());
    }
  }

  /** The algorithm, or for an import where it came from: {@code mlflow} or {@code onnx file}. */
  static String algorithm(RunRecord run) {
    return run.trained()
        .map(TrainingRun::algorithm)
        .orElseGet(
            () ->
                run.importedFrom().orElseThrow().fromMlflow().isPresent()
                    ? "imported (mlflow)"
                    : "imported (file)");
  }

  /** The algorithm's settings, {@code max_depth=6,trees=50}; the run's folds are shown apart. */
  static String parameters(TrainingRun run) {
    Map<String, String> shown = new TreeMap<>(run.parameters());
    shown.remove("cross_validation_folds");
    shown.remove("crossValidationFolds");
    List<String> parts = new ArrayList<>();
    shown.forEach((k, v) -> parts.add(k + "=" + v));
    return parts.isEmpty() ? "-" : String.join(",", parts);
  }

  private static String shortId(String id) {
    return id.length() <= 8 ? id : id.substring(0, 8);
  }
}
