package io.mlqueue.app.evaluate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.stats.bootstrap.Interval;
import io.mlqueue.stats.compare.ConfidenceSequence;
import io.mlqueue.stats.compare.ErrorSummary;
import io.mlqueue.stats.compare.PairedComparison;
import io.mlqueue.stats.compare.PromotionRule;
import io.mlqueue.stats.compare.Settings;
import io.mlqueue.stats.compare.UnpairedComparison;
import io.mlqueue.stats.cost.CostModel;
import java.util.Optional;

/**
 * {@code evaluate --json}: every figure of the report, named in snake case; numbers that do not
 * exist (an exact test's z score, say) are {@code null}. Differences are champion − challenger;
 * savings and costs are per 1,000 predictions. docs/EVALUATION.md describes the fields.
 */
final class JsonReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  static String render(Evaluation e, Optional<PromotionOutcome> promotion) {
    ObjectNode root = JSON.createObjectNode();
    LogWindow w = e.window();
    ObjectNode log = root.putObject("log");
    log.put("file", w.file().toString());
    log.put("since", w.since() == null ? null : w.since().toString());
    log.put("until", w.until() == null ? null : w.until().toString());
    log.put("rows", w.rows().size());
    log.put("rows_read", w.rowsRead());
    log.put("duplicates_dropped", w.duplicates());
    log.put("torn_tail", w.tornTail());
    settings(root.putObject("settings"), e.settings());
    e.cost().ifPresentOrElse(c -> cost(root.putObject("cost"), c), () -> root.putNull("cost"));
    ArrayNode models = root.putArray("models");
    for (Evaluation.ModelReport m : e.models()) {
      ObjectNode node = models.addObject();
      node.put("model", m.model());
      node.put("n", m.n());
      m.errors()
          .ifPresent(
              s -> {
                interval(node.putObject("mae"), s.mae());
                interval(node.putObject("rmse"), s.rmse());
                interval(node.putObject("r2"), s.r2());
                ArrayNode qs = node.putArray("absolute_error_quantiles");
                for (ErrorSummary.Quantile q : s.quantiles()) {
                  ObjectNode qn = qs.addObject();
                  num(qn, "p", q.p());
                  interval(qn, q.interval());
                }
              });
      m.costPerThousand().ifPresent(c -> interval(node.putObject("cost_per_1000"), c));
    }
    root.put("champion", e.champion().orElse(null));
    root.put("challenger", e.challenger().orElse(null));
    e.paired()
        .ifPresentOrElse(
            p -> {
              ObjectNode node = root.putObject("paired");
              node.put("n", p.absoluteError().n());
              paired(node.putObject("absolute_error"), p.absoluteError(), 1);
              paired(node.putObject("squared_error"), p.squaredError(), 1);
              p.cost().ifPresent(c -> paired(node.putObject("saving_per_1000"), c, 1000));
            },
            () -> root.putNull("paired"));
    e.unpaired()
        .ifPresentOrElse(
            u -> {
              ObjectNode node = root.putObject("unpaired");
              unpaired(node.putObject("absolute_error"), u.absoluteError(), 1);
              u.cost().ifPresent(c -> unpaired(node.putObject("saving_per_1000"), c, 1000));
            },
            () -> root.putNull("unpaired"));
    promotion.ifPresentOrElse(
        p -> promotion(root.putObject("promotion"), p), () -> root.putNull("promotion"));
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write the report as JSON", ex);
    }
  }

  private static void settings(ObjectNode node, Settings s) {
    num(node, "alpha", s.alpha());
    num(node, "confidence", s.confidence());
    ObjectNode b = node.putObject("bootstrap");
    b.put("method", "BCa (percentile when BCa is undefined)");
    b.put("resamples", s.resamples());
    b.put("seed", s.seed());
    ObjectNode cs = node.putObject("confidence_sequence");
    cs.put("method", "asymptotic confidence sequence, Waudby-Smith et al. 2024, Theorem 2.2");
    cs.put("tuned_for_pairs", s.sequenceTunedFor());
    node.put("minimum_pairs", s.minimumPairs());
  }

  private static void cost(ObjectNode node, CostModel c) {
    node.put("unit", c.unit());
    num(node, "under_prediction", c.underPrediction());
    num(node, "over_prediction", c.overPrediction());
    ArrayNode bands = node.putArray("bands");
    for (CostModel.Band b : c.bands()) {
      ObjectNode bn = bands.addObject();
      bn.put("name", b.name());
      num(bn, "true_above", b.trueAbove());
      num(bn, "true_below", b.trueBelow());
      num(bn, "predicted_above", b.predictedAbove());
      num(bn, "predicted_below", b.predictedBelow());
      num(bn, "cost", b.cost());
    }
  }

  private static void paired(ObjectNode node, PairedComparison c, double scale) {
    node.put("n", c.n());
    num(node, "champion_mean", c.baselineMean() * scale);
    num(node, "challenger_mean", c.candidateMean() * scale);
    interval(node.putObject("difference"), c.difference().scaled(scale));
    ObjectNode t = node.putObject("paired_t");
    num(t, "t", c.pairedT().t());
    num(t, "df", c.pairedT().degreesOfFreedom());
    num(t, "p", c.pairedT().pValue());
    num(t, "lower", c.pairedT().lower() * scale);
    num(t, "upper", c.pairedT().upper() * scale);
    ObjectNode w = node.putObject("wilcoxon");
    w.put("n", c.wilcoxon().n());
    w.put("zeros", c.wilcoxon().zeros());
    num(w, "statistic", c.wilcoxon().statistic());
    num(w, "z", c.wilcoxon().z());
    num(w, "p", c.wilcoxon().pValue());
    w.put("exact", c.wilcoxon().exact());
    ConfidenceSequence.Bound b = c.sequenceNow();
    ObjectNode cs = node.putObject("confidence_sequence");
    num(cs, "lower", b.lower() * scale);
    num(cs, "upper", b.upper() * scale);
    node.put("conclusive", c.conclusive());
  }

  private static void unpaired(ObjectNode node, UnpairedComparison c, double scale) {
    node.put("champion_n", c.baselineN());
    node.put("challenger_n", c.candidateN());
    num(node, "champion_mean", c.baselineMean() * scale);
    num(node, "challenger_mean", c.candidateMean() * scale);
    interval(node.putObject("difference"), c.difference().scaled(scale));
    ObjectNode t = node.putObject("welch_t");
    num(t, "t", c.welch().t());
    num(t, "df", c.welch().degreesOfFreedom());
    num(t, "p", c.welch().pValue());
    num(t, "lower", c.welch().lower() * scale);
    num(t, "upper", c.welch().upper() * scale);
    ObjectNode m = node.putObject("mann_whitney");
    num(m, "u", c.mannWhitney().u1());
    num(m, "z", c.mannWhitney().z());
    num(m, "p", c.mannWhitney().pValue());
    num(m, "common_language_effect", c.mannWhitney().commonLanguageEffect());
    ConfidenceSequence.Bound b = c.sequenceNow();
    ObjectNode cs = node.putObject("confidence_sequence");
    num(cs, "lower", b.lower() * scale);
    num(cs, "upper", b.upper() * scale);
    node.put("conclusive", c.conclusive());
  }

  private static void promotion(ObjectNode node, PromotionOutcome p) {
    node.put("mode", p.mode().name().toLowerCase(java.util.Locale.ROOT));
    PromotionRule r = p.rule();
    ObjectNode rule = node.putObject("rule");
    rule.put("model", r.model());
    rule.put("alias", r.alias());
    rule.put("metric", r.metric().key());
    num(rule, "lower_bound_above", r.lowerBoundAbove());
    rule.put("min_pairs", r.minimumPairs());
    rule.put("sequential", r.sequential());
    num(rule, "alpha", r.alpha());
    node.put("baseline", p.baseline());
    node.put("candidate", p.candidate());
    PromotionRule.Decision d = p.decision();
    node.put("holds", d.holds());
    node.put("reason", d.reason());
    node.put("pairs", d.pairs());
    num(node, "estimate", d.estimate());
    num(node, "lower", d.lower());
    num(node, "upper", d.upper());
    node.put("interval", d.interval());
    p.applied()
        .ifPresentOrElse(
            a -> {
              ObjectNode an = node.putObject("applied");
              an.put("alias", a.model() + "@" + a.alias());
              an.put("from", a.from());
              an.put("to", a.to());
              an.put("evidence", a.evidence().toString());
            },
            () -> node.putNull("applied"));
  }

  private static void interval(ObjectNode node, Interval i) {
    num(node, "estimate", i.estimate());
    num(node, "lower", i.lower());
    num(node, "upper", i.upper());
    node.put("method", i.method());
  }

  private static void num(ObjectNode node, String field, double value) {
    if (Double.isFinite(value)) {
      node.put(field, value);
    } else {
      node.putNull(field);
    }
  }
}
