package io.mlqueue.app.evaluate;

import io.mlqueue.stats.compare.PromotionRule;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What checking a rule gave: the decision and, if it held and was acted on, what changed.
 *
 * @param mode promote or guardrail
 * @param rule the rule checked
 * @param baseline the model the alias points at ({@code name:version})
 * @param candidate the model it would move to
 * @param decision the verdict with its figures
 * @param applied what the action did, when the rule held and the action ran
 */
public record PromotionOutcome(
    Promotion.Mode mode,
    PromotionRule rule,
    String baseline,
    String candidate,
    PromotionRule.Decision decision,
    Optional<Applied> applied) {

  /**
   * An alias moved.
   *
   * @param evidence the directory holding the rule, the figures and the report
   */
  public record Applied(String model, String alias, int from, int to, Path evidence) {}

  /** One paragraph for the text report and the command's output. */
  public String summary() {
    String what =
        mode == Promotion.Mode.PROMOTE
            ? "promotion of " + candidate + " over " + baseline
            : "guardrail: roll "
                + rule.model()
                + "@"
                + rule.alias()
                + " back from "
                + baseline
                + " to "
                + candidate;
    StringBuilder s =
        new StringBuilder(what)
            .append(" (")
            .append(rule.metric().key())
            .append(", lower bound > ")
            .append(Figures.num(rule.lowerBoundAbove()))
            .append(", at least ")
            .append(rule.minimumPairs())
            .append(" pairs, ")
            .append(rule.sequential() ? "sequential" : "fixed sample")
            .append(", α ")
            .append(Figures.num(rule.alpha()))
            .append("): ")
            .append(decision.reason());
    applied.ifPresent(
        a ->
            s.append("\nalias ")
                .append(a.model())
                .append('@')
                .append(a.alias())
                .append(": ")
                .append(a.from())
                .append(" -> ")
                .append(a.to())
                .append("; evidence in ")
                .append(a.evidence()));
    return s.toString();
  }
}
