package io.mlqueue.app.evaluate;

import io.mlqueue.contract.ModelLog;
import io.mlqueue.stats.bootstrap.Interval;
import io.mlqueue.stats.bootstrap.Statistics;
import io.mlqueue.stats.compare.ErrorSummary;
import io.mlqueue.stats.compare.PairedComparison;
import io.mlqueue.stats.compare.Settings;
import io.mlqueue.stats.compare.UnpairedComparison;
import io.mlqueue.stats.cost.CostModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything {@code evaluate} reports about a window of the model log: each model's errors (and
 * cost) with intervals, and, when a champion and a challenger are named, their comparison on the
 * ids both answered (paired: a shadow) and on the ids only one answered (unpaired: a canary).
 *
 * @param window what was read
 * @param settings α, bootstrap and sequence settings used
 * @param cost the cost model, if a cost file was given
 * @param models per model, in order of name
 * @param champion the baseline of the comparison, if any
 * @param challenger the candidate, if any
 * @param paired the paired comparisons, if at least 2 ids were answered by both
 * @param unpaired the unpaired comparisons, if each answered at least 2 ids the other did not
 */
public record Evaluation(
    LogWindow window,
    Settings settings,
    Optional<CostModel> cost,
    List<ModelReport> models,
    Optional<String> champion,
    Optional<String> challenger,
    Optional<Paired> paired,
    Optional<Unpaired> unpaired) {

  /**
   * One model's figures.
   *
   * @param model {@code name:version}
   * @param errors MAE, RMSE, R² and absolute-error quantiles with intervals; empty under 2 rows
   * @param costPerThousand cost per 1,000 predictions with its interval, when a cost file was given
   * @param signedErrors every {@code y_pred − y_true}, for the distribution plot
   * @param cumulative the cumulative cost (or absolute error, without a cost file) over time
   */
  public record ModelReport(
      String model,
      int n,
      Optional<ErrorSummary> errors,
      Optional<Interval> costPerThousand,
      double[] signedErrors,
      List<TimePoint> cumulative) {}

  /** A point of a curve over time. */
  public record TimePoint(long epochMillis, double value) {}

  /**
   * The comparisons on shared ids; differences are champion − challenger (positive: the challenger
   * is better).
   *
   * @param absoluteError difference in absolute error (its mean: the MAE difference)
   * @param squaredError difference in squared error (its mean: the MSE difference)
   * @param cost difference in cost per prediction, when a cost file was given (×1,000: the saving)
   */
  public record Paired(
      PairedComparison absoluteError,
      PairedComparison squaredError,
      Optional<PairedComparison> cost) {}

  /** The comparisons on ids answered by one model only, as {@link Paired}. */
  public record Unpaired(UnpairedComparison absoluteError, Optional<UnpairedComparison> cost) {}

  /** The model ids in the window, sorted. */
  public static List<String> modelsIn(LogWindow window) {
    return window.rows().stream().map(ModelLog.Row::model).distinct().sorted().toList();
  }

  /**
   * Computes the evaluation.
   *
   * @param champion and {@code challenger}: the models to compare, both present in the window, or
   *     both empty for per-model figures only
   */
  public static Evaluation compute(
      LogWindow window,
      Optional<String> champion,
      Optional<String> challenger,
      Optional<CostModel> cost,
      Settings settings) {
    if (champion.isPresent() != challenger.isPresent()) {
      throw new IllegalArgumentException("name both a champion and a challenger, or neither");
    }
    Map<String, List<ModelLog.Row>> byModel = new LinkedHashMap<>();
    for (ModelLog.Row row : window.rows()) {
      byModel.computeIfAbsent(row.model(), m -> new ArrayList<>()).add(row);
    }
    for (String m : champion.stream().toList()) {
      requirePresent(m, byModel, "champion");
    }
    for (String m : challenger.stream().toList()) {
      requirePresent(m, byModel, "challenger");
      if (m.equals(champion.get())) {
        throw new IllegalArgumentException(
            "the champion and the challenger are the same model " + m);
      }
    }
    List<ModelReport> reports = new ArrayList<>();
    for (String m : byModel.keySet().stream().sorted().toList()) {
      reports.add(report(m, byModel.get(m), cost, settings));
    }
    Optional<Paired> paired = Optional.empty();
    Optional<Unpaired> unpaired = Optional.empty();
    if (champion.isPresent()) {
      List<ModelLog.Row> a = byModel.get(champion.get());
      List<ModelLog.Row> b = byModel.get(challenger.get());
      paired = paired(a, b, cost, settings);
      unpaired = unpaired(a, b, cost, settings);
    }
    return new Evaluation(window, settings, cost, reports, champion, challenger, paired, unpaired);
  }

  private static void requirePresent(
      String model, Map<String, List<ModelLog.Row>> byModel, String role) {
    if (!byModel.containsKey(model)) {
      throw new IllegalArgumentException(
          "the "
              + role
              + " "
              + model
              + " has no rows in the window; models there: "
              + (byModel.isEmpty()
                  ? "none"
                  : String.join(", ", byModel.keySet().stream().sorted().toList())));
    }
  }

  private static ModelReport report(
      String model, List<ModelLog.Row> rows, Optional<CostModel> cost, Settings settings) {
    int n = rows.size();
    double[] t = new double[n];
    double[] p = new double[n];
    double[] signed = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = rows.get(i).yTrue();
      p[i] = rows.get(i).yPred();
      signed[i] = p[i] - t[i];
    }
    Optional<ErrorSummary> errors =
        n >= 2
            ? Optional.of(ErrorSummary.of(t, p, ErrorSummary.DEFAULT_QUANTILES, settings))
            : Optional.empty();
    Optional<Interval> perThousand =
        cost.filter(c -> n >= 2)
            .map(c -> settings.bootstrap().interval(Statistics.mean(c.costs(t, p))).scaled(1000));
    return new ModelReport(model, n, errors, perThousand, signed, cumulative(rows, cost));
  }

  /** Cumulative cost (or absolute error) in time order, thinned to about 500 points. */
  private static List<TimePoint> cumulative(List<ModelLog.Row> rows, Optional<CostModel> cost) {
    List<ModelLog.Row> ordered =
        rows.stream().sorted(Comparator.comparing(ModelLog.Row::loggedAt)).toList();
    int every = Math.max(1, ordered.size() / 500);
    List<TimePoint> points = new ArrayList<>();
    double sum = 0;
    for (int i = 0; i < ordered.size(); i++) {
      ModelLog.Row r = ordered.get(i);
      sum += cost.map(c -> c.cost(r.yTrue(), r.yPred())).orElse(r.absoluteError());
      if ((i + 1) % every == 0 || i == ordered.size() - 1) {
        points.add(new TimePoint(r.loggedAt().toEpochMilli(), sum));
      }
    }
    return List.copyOf(points);
  }

  private static Optional<Paired> paired(
      List<ModelLog.Row> champion,
      List<ModelLog.Row> challenger,
      Optional<CostModel> cost,
      Settings settings) {
    Map<String, ModelLog.Row> theirs = new HashMap<>();
    for (ModelLog.Row r : challenger) {
      theirs.put(r.id(), r);
    }
    // Pairs in the order they were complete (the later of the two rows), for the sequence.
    record Pair(ModelLog.Row a, ModelLog.Row b) {
      java.time.Instant at() {
        return a.loggedAt().isAfter(b.loggedAt()) ? a.loggedAt() : b.loggedAt();
      }
    }
    List<Pair> pairs = new ArrayList<>();
    for (ModelLog.Row r : champion) {
      ModelLog.Row other = theirs.get(r.id());
      if (other != null) {
        pairs.add(new Pair(r, other));
      }
    }
    if (pairs.size() < 2) {
      return Optional.empty();
    }
    pairs.sort(Comparator.comparing(Pair::at));
    int n = pairs.size();
    double[] absA = new double[n];
    double[] absB = new double[n];
    double[] sqA = new double[n];
    double[] sqB = new double[n];
    for (int i = 0; i < n; i++) {
      ModelLog.Row a = pairs.get(i).a();
      ModelLog.Row b = pairs.get(i).b();
      absA[i] = a.absoluteError();
      absB[i] = b.absoluteError();
      sqA[i] = a.error() * a.error();
      sqB[i] = b.error() * b.error();
    }
    Optional<PairedComparison> costs =
        cost.map(
            c -> {
              double[] ca = new double[n];
              double[] cb = new double[n];
              for (int i = 0; i < n; i++) {
                ca[i] = c.cost(pairs.get(i).a().yTrue(), pairs.get(i).a().yPred());
                cb[i] = c.cost(pairs.get(i).b().yTrue(), pairs.get(i).b().yPred());
              }
              return PairedComparison.of(ca, cb, settings);
            });
    return Optional.of(
        new Paired(
            PairedComparison.of(absA, absB, settings),
            PairedComparison.of(sqA, sqB, settings),
            costs));
  }

  private static Optional<Unpaired> unpaired(
      List<ModelLog.Row> champion,
      List<ModelLog.Row> challenger,
      Optional<CostModel> cost,
      Settings settings) {
    java.util.Set<String> idsA = new java.util.HashSet<>();
    champion.forEach(r -> idsA.add(r.id()));
    java.util.Set<String> idsB = new java.util.HashSet<>();
    challenger.forEach(r -> idsB.add(r.id()));
    List<ModelLog.Row> onlyA = champion.stream().filter(r -> !idsB.contains(r.id())).toList();
    List<ModelLog.Row> onlyB = challenger.stream().filter(r -> !idsA.contains(r.id())).toList();
    if (onlyA.size() < 2 || onlyB.size() < 2) {
      return Optional.empty();
    }
    // Both models' rows in the order they were logged, for the confidence sequence.
    record Answer(ModelLog.Row row, boolean challenger) {}
    List<Answer> arrived = new ArrayList<>(onlyA.size() + onlyB.size());
    onlyA.forEach(r -> arrived.add(new Answer(r, false)));
    onlyB.forEach(r -> arrived.add(new Answer(r, true)));
    arrived.sort(Comparator.comparing(a -> a.row().loggedAt()));
    int n = arrived.size();
    boolean[] isChallenger = new boolean[n];
    double[] abs = new double[n];
    for (int i = 0; i < n; i++) {
      isChallenger[i] = arrived.get(i).challenger();
      abs[i] = arrived.get(i).row().absoluteError();
    }
    Optional<UnpairedComparison> costs =
        cost.map(
            c ->
                UnpairedComparison.inArrivalOrder(
                    arrived.stream()
                        .mapToDouble(a -> c.cost(a.row().yTrue(), a.row().yPred()))
                        .toArray(),
                    isChallenger,
                    settings));
    return Optional.of(
        new Unpaired(UnpairedComparison.inArrivalOrder(abs, isChallenger, settings), costs));
  }

  /** The figures of a model. */
  public Optional<ModelReport> model(String model) {
    return models.stream().filter(m -> m.model().equals(model)).findFirst();
  }
}
