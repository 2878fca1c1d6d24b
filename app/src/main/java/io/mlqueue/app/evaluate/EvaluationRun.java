package io.mlqueue.app.evaluate;

import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.stats.compare.PromotionRule;
import io.mlqueue.stats.compare.Settings;
import io.mlqueue.stats.cost.CostModel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code evaluate}: reads the window, chooses the champion and the challenger, computes, checks
 * the rule if there is one (moving the alias unless it is a dry run), and renders the reports.
 */
public final class EvaluationRun {

  /** What the run is for. */
  public enum Mode {
    REPORT,
    PROMOTE,
    GUARDRAIL
  }

  /** The reports, each with the promotion's outcome when a rule was checked. */
  public record Result(
      Evaluation evaluation,
      Optional<PromotionOutcome> promotion,
      String text,
      String json,
      String html) {}

  private final Path log;
  private final Instant since;
  private final Instant until;
  private final Optional<String> champion;
  private final Optional<String> challenger;
  private final Optional<CostModel> cost;
  private final Settings settings;
  private final Mode mode;
  private final Optional<PromotionRule> rule;
  private final boolean dryRun;
  private final ModelRegistry registry;
  private final Clock clock;

  public EvaluationRun(
      Path log,
      Instant since,
      Instant until,
      Optional<String> champion,
      Optional<String> challenger,
      Optional<CostModel> cost,
      Settings settings,
      Mode mode,
      Optional<PromotionRule> rule,
      boolean dryRun,
      ModelRegistry registry,
      Clock clock) {
    if ((mode == Mode.REPORT) != rule.isEmpty()) {
      throw new IllegalArgumentException(
          "a promotion or guardrail run needs a rule, a report none");
    }
    this.log = log;
    this.since = since;
    this.until = until;
    this.champion = champion;
    this.challenger = challenger;
    this.cost = cost;
    this.settings = settings;
    this.mode = mode;
    this.rule = rule;
    this.dryRun = dryRun;
    this.registry = registry;
    this.clock = clock;
  }

  public Result run() throws IOException {
    LogWindow window = LogWindow.read(log, since, until);
    List<String> models = Evaluation.modelsIn(window);
    Optional<String> a = champion;
    Optional<String> b = challenger;
    RegistryAction action = new RegistryAction(registry, clock);
    if (mode != Mode.REPORT) {
      PromotionRule r = rule.get();
      ModelRegistry.checkName(r.model());
      ModelRegistry.checkAlias(r.alias());
      OptionalInt current = registry.alias(r.model(), r.alias());
      if (current.isEmpty()) {
        throw new IllegalArgumentException(
            "alias "
                + r.model()
                + "@"
                + r.alias()
                + " is not set in the registry "
                + registry.root()
                + ": there is no champion to compare with");
      }
      String aliasModel = r.model() + ":" + current.getAsInt();
      if (a.isPresent() && !a.get().equals(aliasModel)) {
        throw new IllegalArgumentException(
            "--champion "
                + a.get()
                + " is not what "
                + r.model()
                + "@"
                + r.alias()
                + " points at ("
                + aliasModel
                + "); leave --champion out with a rule");
      }
      a = Optional.of(aliasModel);
      if (b.isEmpty()) {
        b =
            mode == Mode.PROMOTE
                ? Optional.of(onlyOther(models, r.model(), aliasModel))
                : Optional.of(
                    r.model()
                        + ":"
                        + action
                            .replacedBy(r.model(), current.getAsInt())
                            .orElseThrow(
                                () ->
                                    new IllegalArgumentException(
                                        "no evidence of what "
                                            + aliasModel
                                            + " replaced: name the version"
                                            + " to roll back to with --challenger "
                                            + r.model()
                                            + ":N")));
      }
      RegistryAction.version(b.get(), r.model());
    } else if (a.isEmpty() && b.isEmpty() && models.size() == 2) {
      a = Optional.of(defaultChampion(window, models));
      String first = a.get();
      b = models.stream().filter(m -> !m.equals(first)).findFirst();
    } else if (a.isPresent() != b.isPresent()) {
      throw new IllegalArgumentException("name both --champion and --challenger, or neither");
    }
    Evaluation evaluation = Evaluation.compute(window, a, b, cost, settings);
    Optional<PromotionOutcome> outcome = Optional.empty();
    if (mode != Mode.REPORT) {
      Promotion.Mode pm = mode == Mode.PROMOTE ? Promotion.Mode.PROMOTE : Promotion.Mode.GUARDRAIL;
      outcome =
          Optional.of(
              new Promotion(rule.get(), pm, dryRun ? Promotion.Action.NONE : action)
                  .run(
                      evaluation,
                      decided ->
                          new Promotion.Evidence(
                              JsonReport.render(evaluation, Optional.of(decided)),
                              HtmlReport.render(evaluation, Optional.of(decided)))));
    }
    return new Result(
        evaluation,
        outcome,
        TextReport.render(evaluation, outcome),
        JsonReport.render(evaluation, outcome),
        HtmlReport.render(evaluation, outcome));
  }

  /** The one model of {@code name} in the window besides the champion: the challenger. */
  private static String onlyOther(List<String> models, String name, String champion) {
    List<String> others =
        models.stream().filter(m -> m.startsWith(name + ":") && !m.equals(champion)).toList();
    if (others.size() != 1) {
      throw new IllegalArgumentException(
          (others.isEmpty()
                  ? "no other version of " + name + " than " + champion + " in the window"
                  : "several versions of "
                      + name
                      + " besides "
                      + champion
                      + " in the window ("
                      + String.join(", ", others)
                      + ")")
              + ": name the challenger with --challenger "
              + name
              + ":N");
    }
    return others.get(0);
  }

  /** With two models and no say: the one that answered more rows (in a canary, the champion). */
  private static String defaultChampion(LogWindow window, List<String> models) {
    return models.stream()
        .max(
            Comparator.<String>comparingLong(
                    m -> window.rows().stream().filter(r -> r.model().equals(m)).count())
                .thenComparing(Comparator.<String>naturalOrder().reversed()))
        .orElseThrow();
  }
}
