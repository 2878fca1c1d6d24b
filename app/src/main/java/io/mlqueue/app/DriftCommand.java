package io.mlqueue.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.data.Dataset;
import io.mlqueue.features.Shift;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.drift.LossEstimator;
import io.mlqueue.model.drift.ReferenceProfiles;
import io.mlqueue.stats.drift.ColumnDrift;
import io.mlqueue.stats.drift.ColumnProfile;
import io.mlqueue.stats.drift.ReferenceProfile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlqueue drift}: a data file, whole or window by window, against a model's reference. */
@Command(
    name = "drift",
    description =
        "Compare the rows of --data (features, and the target when known), whole or in windows,"
            + " with the reference profile of --model: per feature and for the prediction the test"
            + " Evidently would choose (KS, chi-square, Z, Wasserstein, Jensen-Shannon) and PSI; the MAE"
            + " estimated from features and predictions alone beside the realised one. See"
            + " docs/MONITORING.md.")
final class DriftCommand implements Callable<Integer> {
  @Mixin ModelCommand.ModelOptions model;

  @Option(
      names = "--reference",
      paramLabel = "CSV",
      description =
          "Profile this data as the reference (with --target) when the model has no stored profile"
              + " (a model file rather than a registry version or the built-in model).")
  Path reference;

  @Option(
      names = "--window",
      paramLabel = "ROWS",
      defaultValue = "0",
      description = "Check windows of ROWS rows in file order (default: 0, the whole file as one).")
  int window;

  @Option(
      names = "--shift",
      paramLabel = "FEATURE:DELTA[@N]",
      description =
          "Add DELTA to FEATURE from the N-th row on before checking, as 'features --shift' does.")
  List<String> shifts = new ArrayList<>();

  @Option(names = "--json", description = "Write the report as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (model.data.file == null) {
      throw new IllegalArgumentException(
          "drift needs --data FILE: the rows to compare with the reference");
    }
    if (window < 0) {
      throw new IllegalArgumentException("--window must not be negative, was " + window);
    }
    // Rows from production may have no labels yet: then the realised MAE is unknown, the rest
    // holds.
    Path file = model.data.file;
    Dataset data = Dataset.loadUnlabelled(file, model.data.target);
    List<Shift> parsed = shifts.stream().map(s -> Shift.parse(s, data)).toList();
    // The model is loaded without --data's check, which needs a target: inModelOrder below names a
    // column the data lacks.
    model.data.file = null;
    try (ServableModel served = model.load()) {
      model.data.file = file;
      Optional<Dataset> referenceData =
          reference == null
              ? Optional.empty()
              : Optional.of(Dataset.load(reference, model.data.target));
      ReferenceProfile profile =
          ReferenceProfiles.find(
                  served, model.reference().map(r -> model.registry.open()), referenceData)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "model "
                              + served.id()
                              + " has no reference profile; give --reference CSV (its training data)"));
      double[][] rows = ReferenceProfiles.inModelOrder(data, served);
      for (int i = 0; i < rows.length; i++) {
        for (Shift s : parsed) {
          if (i >= s.fromPair()) {
            rows[i][served.featureNames().indexOf(s.feature())] += s.delta();
          }
        }
      }
      double[] predictions = new double[rows.length];
      served.predictBatch(rows, predictions);
      Optional<LossEstimator> dle = LossEstimator.fit(profile);
      int size = window == 0 ? rows.length : window;
      List<Window> windows = new ArrayList<>();
      for (int from = 0; from < rows.length; from += size) {
        windows.add(
            check(
                profile,
                dle,
                rows,
                predictions,
                data.targets(),
                from,
                Math.min(rows.length, from + size)));
      }
      System.out.print(json ? json(served, profile, windows) : text(served, profile, windows));
    }
    return 0;
  }

  private record Column(String name, ColumnDrift drift) {}

  private record Window(
      int from, int to, List<Column> columns, double estimatedMae, double realisedMae) {}

  private static Window check(
      ReferenceProfile profile,
      Optional<LossEstimator> dle,
      double[][] rows,
      double[] predictions,
      double[] targets,
      int from,
      int to) {
    int p = profile.features().size();
    double[][] columns = new double[p + 1][to - from];
    double realised = 0;
    for (int i = from; i < to; i++) {
      for (int j = 0; j < p; j++) {
        columns[j][i - from] = rows[i][j];
      }
      columns[p][i - from] = predictions[i];
      realised += Math.abs(targets[i] - predictions[i]);
    }
    List<Column> out = new ArrayList<>();
    for (int j = 0; j <= p; j++) {
      ColumnProfile c = j < p ? profile.features().get(j) : profile.prediction();
      out.add(new Column(c.name(), c.compare(columns[j])));
    }
    double estimated = dle.map(d -> d.estimateMae(columns)).orElse(Double.NaN);
    return new Window(from, to, out, estimated, realised / (to - from));
  }

  private String text(ServableModel served, ReferenceProfile profile, List<Window> windows) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "drift of %s (%d rows) against the reference of %s (%d rows)%n",
            model.data.file,
            windows.get(windows.size() - 1).to(),
            served.id(),
            profile.rows()));
    for (Window w : windows) {
      List<String> drifted =
          w.columns().stream().filter(c -> c.drift().drifted()).map(Column::name).toList();
      b.append(
          String.format(
              Locale.ROOT,
              "%nrows %d-%d: %s%n",
              w.from() + 1,
              w.to(),
              drifted.isEmpty() ? "no drift" : "drift in " + String.join(", ", drifted)));
      b.append(
          String.format(
              Locale.ROOT,
              "  %-12s %-14s %12s %10s  %-7s %8s%n",
              "column",
              "test",
              "statistic",
              "value",
              "drifted",
              "psi"));
      for (Column c : w.columns()) {
        var t = c.drift().test();
        b.append(
            String.format(
                Locale.ROOT,
                "  %-12s %-14s %12.4g %10.4g  %-7s %8.4f%n",
                c.name(),
                t.method().label() + (t.method().isPValue() ? " (p)" : ""),
                t.statistic(),
                t.value(),
                t.drifted() ? "yes" : "no",
                c.drift().psi().value()));
      }
      b.append(
          Double.isNaN(w.realisedMae())
              ? String.format(
                  Locale.ROOT,
                  "  MAE estimated %.4g (no labels: realised unknown)%n",
                  w.estimatedMae())
              : String.format(
                  Locale.ROOT,
                  "  MAE estimated %.4g, realised %.4g, gap %+.4g%n",
                  w.estimatedMae(),
                  w.realisedMae(),
                  w.estimatedMae() - w.realisedMae()));
    }
    return b.toString();
  }

  private String json(ServableModel served, ReferenceProfile profile, List<Window> windows)
      throws Exception {
    ObjectNode root = StrictJson.MAPPER.createObjectNode();
    root.put("model", served.id());
    root.put("data", model.data.file.toString());
    root.put("reference_rows", profile.rows());
    ArrayNode ws = root.putArray("windows");
    for (Window w : windows) {
      ObjectNode n = ws.addObject();
      n.put("first_row", w.from() + 1);
      n.put("last_row", w.to());
      number(n, "estimated_mae", w.estimatedMae());
      number(n, "realised_mae", w.realisedMae());
      ArrayNode cs = n.putArray("columns");
      for (Column c : w.columns()) {
        var t = c.drift().test();
        ObjectNode o = cs.addObject();
        o.put("name", c.name());
        o.put("method", t.method().label());
        o.put("statistic", t.statistic());
        o.put(t.method().isPValue() ? "p_value" : "distance", t.value());
        o.put("threshold", t.threshold());
        o.put("drifted", t.drifted());
        o.put("psi", c.drift().psi().value());
      }
    }
    return StrictJson.MAPPER.writeValueAsString(root) + System.lineSeparator();
  }

  /** JSON has no NaN: an unknown figure is null. */
  private static void number(ObjectNode n, String field, double v) {
    if (Double.isNaN(v)) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }
}
