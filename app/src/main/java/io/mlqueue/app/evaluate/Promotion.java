package io.mlqueue.app.evaluate;

import io.mlqueue.stats.compare.PairedComparison;
import io.mlqueue.stats.compare.PromotionRule;
import io.mlqueue.stats.compare.UnpairedComparison;
import java.io.IOException;
import java.util.Optional;

/**
 * A promotion rule checked against an evaluation and, when it holds, acted on: a pure decision
 * ({@link #decide}) and an {@link Action} (moving a registry alias and keeping the evidence, for
 * {@code evaluate --promote}; a service checking continuously can bring its own).
 *
 * <p>In {@link Mode#PROMOTE} the evaluation's champion is the alias's version and the challenger
 * the candidate; the rule holds when the challenger is better by its margin. In {@link
 * Mode#GUARDRAIL} the champion is the alias's (new) version and the challenger the version it
 * replaced; the rule holds when the old version is now the better one, and the alias goes back.
 */
public final class Promotion {

  /** What the rule is checked for. */
  public enum Mode {
    PROMOTE,
    GUARDRAIL
  }

  /** What to do when the rule holds. */
  @FunctionalInterface
  public interface Action {
    /** Does nothing: a dry run, which decides and reports only. */
    Action NONE = (decided, evidence) -> Optional.empty();

    /**
     * Moves the alias from the baseline to the candidate and keeps the evidence.
     *
     * @param evidence the figures as JSON and the HTML report, rendered with the decision
     * @return what changed, or empty when nothing did
     */
    Optional<PromotionOutcome.Applied> apply(PromotionOutcome decided, Evidence evidence)
        throws IOException;
  }

  /** The documents that justify a move. */
  public record Evidence(String json, String html) {}

  /** Renders the evidence of an outcome; called only when the rule holds. */
  @FunctionalInterface
  public interface EvidenceRenderer {
    Evidence render(PromotionOutcome decided);
  }

  private final PromotionRule rule;
  private final Mode mode;
  private final Action action;

  public Promotion(PromotionRule rule, Mode mode, Action action) {
    this.rule = rule;
    this.mode = mode;
    this.action = action;
  }

  /**
   * The rule's verdict on {@code evaluation}, which must compare a champion and a challenger: on
   * the ids both answered when there are any (a shadow: paired, the stronger test), else on the ids
   * each answered alone (a canary with feedback labels: unpaired).
   */
  public static PromotionRule.Decision decide(PromotionRule rule, Evaluation evaluation) {
    if (rule.metric() == PromotionRule.Metric.SAVING && evaluation.cost().isEmpty()) {
      throw new IllegalArgumentException(
          "the rule's metric is saving: give the cost file with --cost");
    }
    Optional<PairedComparison> paired =
        evaluation
            .paired()
            .flatMap(
                p ->
                    switch (rule.metric()) {
                      case MAE_DIFFERENCE -> Optional.of(p.absoluteError());
                      case SAVING -> p.cost();
                    });
    if (paired.isPresent()) {
      return rule.decide(paired.get());
    }
    Optional<UnpairedComparison> unpaired =
        evaluation
            .unpaired()
            .flatMap(
                u ->
                    switch (rule.metric()) {
                      case MAE_DIFFERENCE -> Optional.of(u.absoluteError());
                      case SAVING -> u.cost();
                    });
    if (unpaired.isPresent()) {
      return rule.decide(unpaired.get());
    }
    return new PromotionRule.Decision(
        false,
        "not yet: under two labelled rows of each model (a shadow gives pairs, a canary rows"
            + " with feedback labels)",
        0,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        "none");
  }

  /** Decides and, when the rule holds, acts. */
  public PromotionOutcome run(Evaluation evaluation, EvidenceRenderer evidence) throws IOException {
    PromotionRule.Decision decision = decide(rule, evaluation);
    PromotionOutcome decided =
        new PromotionOutcome(
            mode,
            rule,
            evaluation.champion().orElseThrow(),
            evaluation.challenger().orElseThrow(),
            decision,
            Optional.empty());
    if (!decision.holds()) {
      return decided;
    }
    Optional<PromotionOutcome.Applied> applied = action.apply(decided, evidence.render(decided));
    return new PromotionOutcome(
        mode, rule, decided.baseline(), decided.candidate(), decision, applied);
  }
}
