package io.mlqueue.stats.compare;

import io.mlqueue.stats.bootstrap.Interval;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A rule for switching models, written by a person and checked against the evidence: "promote when
 * the saving per 1,000 predictions is above 0 with 95% confidence, sequentially valid, after at
 * least 2,000 pairs". The decision is pure ({@link #decide}); moving an alias is someone else's
 * action.
 *
 * <p>The same rule serves as a guardrail: with the current champion as baseline and the version it
 * replaced as candidate, it holds when the old version is now the better one — time to roll back.
 *
 * @param model the registry model name the rule is about
 * @param alias the alias to move, e.g. {@code production}
 * @param metric what is compared
 * @param lowerBoundAbove the interval's lower end must be above this, in the metric's unit (saving
 *     per 1,000 predictions, or target units for the MAE difference)
 * @param minimumPairs no decision before this many pairs
 * @param sequential use the always-valid confidence sequence (may be checked after every batch); if
 *     false, the fixed-sample BCa interval, valid only when the rule is checked once
 * @param alpha error rate: a false promotion happens with probability at most about {@code alpha}
 */
public record PromotionRule(
    String model,
    String alias,
    Metric metric,
    double lowerBoundAbove,
    long minimumPairs,
    boolean sequential,
    double alpha) {

  /** What a rule compares, each a paired difference {@code baseline − candidate}. */
  public enum Metric {
    /** Cost saved per 1,000 predictions by switching (needs a cost file). */
    SAVING("saving", 1000, "saving per 1,000 predictions"),
    /** Champion's mean absolute error minus the challenger's, in target units. */
    MAE_DIFFERENCE("mae_difference", 1, "MAE difference (baseline − candidate)");

    private final String key;
    private final double scale;
    private final String description;

    Metric(String key, double scale, String description) {
      this.key = key;
      this.scale = scale;
      this.description = description;
    }

    public String key() {
      return key;
    }

    /** Multiplies a per-prediction difference into the rule's unit. */
    public double scale() {
      return scale;
    }

    public String description() {
      return description;
    }

    static Metric of(String key, String source) {
      for (Metric m : values()) {
        if (m.key.equals(key)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          source + ": metric '" + key + "' is not one of saving, mae_difference");
    }
  }

  public PromotionRule {
    if (model == null || model.isBlank() || alias == null || alias.isBlank()) {
      throw new IllegalArgumentException("a promotion rule names a model and an alias");
    }
    if (minimumPairs < 2) {
      throw new IllegalArgumentException("min_pairs must be at least 2, got " + minimumPairs);
    }
    if (!(alpha > 0 && alpha < 0.5)) {
      throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
    }
    if (!Double.isFinite(lowerBoundAbove)) {
      throw new IllegalArgumentException("lower_bound_above must be a finite number");
    }
  }

  /**
   * The verdict.
   *
   * @param holds whether the rule holds: act on it
   * @param reason in words, with the figures
   * @param pairs pairs seen
   * @param estimate the metric's estimate, in its unit
   * @param lower the interval's lower end used, in the metric's unit
   * @param upper its upper end
   * @param interval which interval: the confidence sequence or the fixed-sample bootstrap
   */
  public record Decision(
      boolean holds,
      String reason,
      long pairs,
      double estimate,
      double lower,
      double upper,
      String interval) {}

  /** Decides on a paired comparison of the rule's metric (per-prediction losses): a shadow. */
  public Decision decide(PairedComparison comparison) {
    return decide(
        comparison.difference(),
        comparison.sequenceNow(),
        "always-valid confidence sequence",
        comparison.n(),
        "pairs",
        comparison.n() + " pairs");
  }

  /**
   * Decides on an unpaired comparison (a canary: each id answered by one model). {@code min_pairs}
   * then counts the rows of the model that has fewer, and the sequential interval is the {@link
   * TwoSampleSequence}.
   */
  public Decision decide(UnpairedComparison comparison) {
    return decide(
        comparison.difference(),
        comparison.sequenceNow(),
        "always-valid two-sample confidence sequence",
        Math.min(comparison.baselineN(), comparison.candidateN()),
        "rows of the model with fewer",
        comparison.baselineN()
            + " baseline and "
            + comparison.candidateN()
            + " candidate rows (unpaired)");
  }

  private Decision decide(
      Interval fixedSample,
      ConfidenceSequence.Bound sequenceNow,
      String sequenceName,
      long n,
      String unit,
      String seen) {
    double scale = metric.scale();
    String which;
    double lower;
    double upper;
    double estimate = fixedSample.estimate() * scale;
    if (sequential) {
      lower = sequenceNow.lower() * scale;
      upper = sequenceNow.upper() * scale;
      which = sequenceName;
    } else {
      lower = fixedSample.lower() * scale;
      upper = fixedSample.upper() * scale;
      which = fixedSample.method() + " interval (fixed sample)";
    }
    String figures =
        String.format(
            Locale.ROOT,
            "%s %.4g, %s [%.4g, %.4g] after %s",
            metric.description(),
            estimate,
            which,
            lower,
            upper,
            seen);
    if (n < minimumPairs) {
      return new Decision(
          false,
          "not yet: " + n + " " + unit + " of the " + minimumPairs + " required (" + figures + ")",
          n,
          estimate,
          lower,
          upper,
          which);
    }
    boolean holds = lower > lowerBoundAbove;
    String verdict =
        holds
            ? String.format(Locale.ROOT, "holds: lower end %.4g > %.4g", lower, lowerBoundAbove)
            : String.format(
                Locale.ROOT, "does not hold: lower end %.4g ≤ %.4g", lower, lowerBoundAbove);
    return new Decision(holds, verdict + " (" + figures + ")", n, estimate, lower, upper, which);
  }

  private static final Set<String> KEYS =
      Set.of("model", "alias", "metric", "lower_bound_above", "min_pairs", "sequential", "alpha");

  /**
   * Reads a rule from a parsed YAML or JSON document, e.g.
   *
   * <pre>
   * model: diabetes
   * alias: production
   * metric: saving             # or mae_difference
   * lower_bound_above: 0
   * min_pairs: 2000
   * sequential: true
   * alpha: 0.05
   * </pre>
   *
   * {@code metric} defaults to {@code mae_difference}, {@code lower_bound_above} to 0, {@code
   * min_pairs} to 2,000, {@code sequential} to true, {@code alpha} to 0.05; unknown keys are
   * refused.
   */
  public static PromotionRule fromTree(Object tree, String source) {
    if (!(tree instanceof Map<?, ?> raw)) {
      throw new IllegalArgumentException(
          source + ": a promotion rule is a mapping of keys to values");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    raw.forEach((k, v) -> m.put(String.valueOf(k), v));
    for (String key : m.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            source
                + ": unknown key '"
                + key
                + "'; allowed: "
                + String.join(", ", KEYS.stream().sorted().toList()));
      }
    }
    try {
      return new PromotionRule(
          text(m, "model", source),
          text(m, "alias", source),
          Metric.of(
              m.containsKey("metric") ? String.valueOf(m.get("metric")) : "mae_difference", source),
          number(m, "lower_bound_above", 0, source),
          (long) number(m, "min_pairs", 2000, source),
          bool(m, "sequential", true, source),
          number(m, "alpha", 0.05, source));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith(source)
          ? e
          : new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static String text(Map<String, Object> m, String key, String source) {
    Object v = m.get(key);
    if (v == null || String.valueOf(v).isBlank()) {
      throw new IllegalArgumentException(source + ": " + key + " is missing");
    }
    return String.valueOf(v);
  }

  private static double number(Map<String, Object> m, String key, double absent, String source) {
    Object v = m.get(key);
    if (v == null) {
      return absent;
    }
    if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException(source + ": " + key + " must be a number, got '" + v + "'");
  }

  private static boolean bool(Map<String, Object> m, String key, boolean absent, String source) {
    Object v = m.get(key);
    if (v == null) {
      return absent;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(
        source + ": " + key + " must be true or false, got '" + v + "'");
  }
}
