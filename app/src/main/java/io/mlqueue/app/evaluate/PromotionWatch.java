package io.mlqueue.app.evaluate;

import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.stats.compare.PromotionRule;
import io.mlqueue.stats.compare.Settings;
import io.mlqueue.stats.cost.CostModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Continuous promotion ({@code mlqueue promote --watch}): at each look, checks the guardrail on the
 * alias's version (when it replaced another and a guardrail rule is given), then the promotion rule
 * on the newest challenger in the log, with {@link Promotion} through {@link EvaluationRun} — the
 * same decision, evidence and registry move as {@code evaluate --promote}. Looking again and again
 * is safe because the rules use the confidence sequence, valid at every look.
 *
 * <p>A promotion only moves forward (to a version newer than the alias's): going back is the
 * guardrail's job, with its own rule. With a {@code shadowAlias}, a promotion also points that
 * alias (the one {@code model --shadow} follows) at the version just replaced, so the old champion
 * keeps answering in shadow and the guardrail gets fresh pairs.
 *
 * @param log the per-model log metric writes ({@code metric --model-log})
 * @param promote the promotion rule
 * @param guardrail the roll-back rule, if any
 * @param cost the cost file, needed by rules on {@code saving}
 * @param last only rows of this last span count, if given; otherwise the whole log
 * @param shadowAlias the alias the challenger is served under, moved to the replaced version
 * @param resamples bootstrap resamples of the report (the decision uses the confidence sequence)
 */
public record PromotionWatch(
    Path log,
    PromotionRule promote,
    Optional<PromotionRule> guardrail,
    Optional<CostModel> cost,
    Optional<Duration> last,
    Optional<String> shadowAlias,
    int resamples,
    ModelRegistry registry,
    Clock clock) {

  public PromotionWatch {
    guardrail.ifPresent(
        g -> {
          if (!g.model().equals(promote.model()) || !g.alias().equals(promote.alias())) {
            throw new IllegalArgumentException(
                "the guardrail must watch the promotion's alias "
                    + promote.model()
                    + "@"
                    + promote.alias()
                    + ", not "
                    + g.model()
                    + "@"
                    + g.alias());
          }
        });
    shadowAlias.ifPresent(
        a -> {
          ModelRegistry.checkAlias(a);
          if (a.equals(promote.alias())) {
            throw new IllegalArgumentException(
                "--shadow-alias must differ from the rule's alias " + a);
          }
        });
  }

  /**
   * What one look found.
   *
   * @param summary one line for the log
   * @param outcome the rule checked, if one could be
   */
  public record Look(String summary, Optional<PromotionOutcome> outcome) {
    /** Whether an alias moved. */
    public boolean moved() {
      return outcome.flatMap(PromotionOutcome::applied).isPresent();
    }
  }

  /** One look: the guardrail first, then the promotion. */
  public Look check() throws IOException {
    if (!Files.isRegularFile(log)) {
      return new Look("waiting: no model log at " + log + " yet", Optional.empty());
    }
    String name = promote.model();
    OptionalInt current = registry.alias(name, promote.alias());
    if (current.isEmpty()) {
      throw new IllegalArgumentException(
          "alias "
              + name
              + "@"
              + promote.alias()
              + " is not set in the registry "
              + registry.root()
              + ": there is no champion");
    }
    Instant until = clock.instant();
    Instant since = last.map(until::minus).orElse(null);
    LogWindow window = LogWindow.read(log, since, null);
    Optional<Look> guarded = Optional.empty();
    if (guardrail.isPresent()) {
      OptionalInt replaced =
          new RegistryAction(registry, clock).replacedBy(name, current.getAsInt());
      if (replaced.isPresent() && has(window, name + ":" + replaced.getAsInt())) {
        guarded =
            Optional.of(
                run(
                    EvaluationRun.Mode.GUARDRAIL,
                    guardrail.get(),
                    name + ":" + replaced.getAsInt(),
                    since));
        if (guarded.get().moved()) {
          return guarded.get();
        }
      }
    }
    String candidate = newest(window, name, current.getAsInt());
    if (candidate == null) {
      // Nothing newer to promote: the guardrail's verdict, if it was checked, is the news.
      return guarded.orElseGet(
          () ->
              new Look(
                  "waiting: no version of "
                      + name
                      + " newer than "
                      + current.getAsInt()
                      + " in "
                      + log,
                  Optional.empty()));
    }
    Look look = run(EvaluationRun.Mode.PROMOTE, promote, candidate, since);
    if (look.moved() && shadowAlias.isPresent()) {
      int from = look.outcome().get().applied().get().from();
      registry.setAlias(name, shadowAlias.get(), from);
      return new Look(
          look.summary()
              + "\nalias "
              + name
              + "@"
              + shadowAlias.get()
              + " -> "
              + from
              + " (the replaced version stays in shadow for the guardrail)",
          look.outcome());
    }
    return look;
  }

  private Look run(EvaluationRun.Mode mode, PromotionRule rule, String challenger, Instant since)
      throws IOException {
    Settings settings =
        new Settings(rule.alpha(), resamples, 1, rule.minimumPairs(), rule.minimumPairs());
    EvaluationRun.Result result =
        new EvaluationRun(
                log,
                since,
                null,
                Optional.empty(),
                Optional.of(challenger),
                cost,
                settings,
                mode,
                Optional.of(rule),
                false,
                registry,
                clock)
            .run();
    PromotionOutcome outcome = result.promotion().orElseThrow();
    return new Look(outcome.summary(), Optional.of(outcome));
  }

  private static boolean has(LogWindow window, String model) {
    return model != null && Evaluation.modelsIn(window).contains(model);
  }

  /** The newest version of {@code name} in the window above {@code above}; null if none. */
  private static String newest(LogWindow window, String name, int above) {
    return Evaluation.modelsIn(window).stream()
        .filter(m -> m.startsWith(name + ":"))
        .filter(
            m -> {
              String v = m.substring(name.length() + 1);
              return v.matches("[1-9][0-9]{0,8}") && Integer.parseInt(v) > above;
            })
        .max(Comparator.comparingInt(m -> Integer.parseInt(m.substring(name.length() + 1))))
        .orElse(null);
  }
}
