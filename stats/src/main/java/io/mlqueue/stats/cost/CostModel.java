package io.mlqueue.stats.cost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a prediction's error costs the business: a price per unit of under-prediction and per unit
 * of over-prediction, plus bands that add a fixed cost when the truth and the prediction fall in
 * given ranges ("true above 200, predicted below 150 costs 500": a high-risk case missed). Every
 * band that matches adds its cost. Costs are in the file's {@link #unit()}.
 *
 * @param unit the money unit the report shows, e.g. {@code EUR}; free text
 * @param underPrediction cost per unit the prediction is below the truth ({@code y_pred < y_true})
 * @param overPrediction cost per unit the prediction is above the truth
 * @param bands fixed costs of regions of (truth, prediction)
 */
public record CostModel(
    String unit, double underPrediction, double overPrediction, List<Band> bands) {

  public CostModel {
    if (!(underPrediction >= 0)
        || !(overPrediction >= 0)
        || Double.isInfinite(underPrediction)
        || Double.isInfinite(overPrediction)) {
      throw new IllegalArgumentException(
          "under_prediction and over_prediction must be finite and not negative, got "
              + underPrediction
              + " and "
              + overPrediction);
    }
    bands = List.copyOf(bands);
  }

  /**
   * A fixed cost for a region. Bounds are open-ended when absent ({@code NaN}); {@code above} is
   * strict ({@code >}), {@code below} strict ({@code <}).
   *
   * @param name what the band means, shown in the report
   */
  public record Band(
      String name,
      double trueAbove,
      double trueBelow,
      double predictedAbove,
      double predictedBelow,
      double cost) {
    public Band {
      if (!Double.isFinite(cost) || cost < 0) {
        throw new IllegalArgumentException(
            "band '" + name + "': cost must be finite and not negative, got " + cost);
      }
      if (Double.isNaN(trueAbove)
          && Double.isNaN(trueBelow)
          && Double.isNaN(predictedAbove)
          && Double.isNaN(predictedBelow)) {
        throw new IllegalArgumentException(
            "band '"
                + name
                + "' sets no bound: give true_above, true_below, predicted_above or predicted_below");
      }
    }

    public boolean matches(double yTrue, double yPred) {
      return (Double.isNaN(trueAbove) || yTrue > trueAbove)
          && (Double.isNaN(trueBelow) || yTrue < trueBelow)
          && (Double.isNaN(predictedAbove) || yPred > predictedAbove)
          && (Double.isNaN(predictedBelow) || yPred < predictedBelow);
    }
  }

  /** The cost of predicting {@code yPred} when the truth is {@code yTrue}. */
  public double cost(double yTrue, double yPred) {
    double c = yPred < yTrue ? underPrediction * (yTrue - yPred) : overPrediction * (yPred - yTrue);
    for (Band b : bands) {
      if (b.matches(yTrue, yPred)) {
        c += b.cost;
      }
    }
    return c;
  }

  /** The costs of pairs, element by element. */
  public double[] costs(double[] yTrue, double[] yPred) {
    double[] out = new double[yTrue.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = cost(yTrue[i], yPred[i]);
    }
    return out;
  }

  private static final Set<String> TOP =
      Set.of("unit", "under_prediction", "over_prediction", "bands");
  private static final Set<String> BAND =
      Set.of("name", "true_above", "true_below", "predicted_above", "predicted_below", "cost");

  /**
   * Reads a cost model from a parsed YAML or JSON document (maps, lists, numbers, strings), e.g.
   *
   * <pre>
   * unit: EUR
   * under_prediction: 2.0      # per unit of y the prediction is too low
   * over_prediction: 1.0       # per unit too high
   * bands:
   *   - name: high-risk case missed
   *     true_above: 200
   *     predicted_below: 150
   *     cost: 500
   * </pre>
   *
   * Unknown keys are refused, so a misspelt key is not silently free.
   *
   * @param source the file's name, for messages
   * @throws IllegalArgumentException naming the file and the key that is wrong
   */
  public static CostModel fromTree(Object tree, String source) {
    Map<String, Object> top = map(tree, source, "the document", TOP);
    try {
      String unit = top.containsKey("unit") ? String.valueOf(top.get("unit")) : "cost units";
      double under = number(top, "under_prediction", 0, source, "");
      double over = number(top, "over_prediction", 0, source, "");
      List<Band> bands = new ArrayList<>();
      Object rawBands = top.getOrDefault("bands", List.of());
      if (!(rawBands instanceof List<?> list)) {
        throw new IllegalArgumentException(source + ": bands must be a list");
      }
      for (int i = 0; i < list.size(); i++) {
        String where = "bands[" + i + "].";
        Map<String, Object> b = map(list.get(i), source, "bands[" + i + "]", BAND);
        if (!b.containsKey("cost")) {
          throw new IllegalArgumentException(source + ": " + where + "cost is missing");
        }
        bands.add(
            new Band(
                b.containsKey("name") ? String.valueOf(b.get("name")) : "band " + (i + 1),
                number(b, "true_above", Double.NaN, source, where),
                number(b, "true_below", Double.NaN, source, where),
                number(b, "predicted_above", Double.NaN, source, where),
                number(b, "predicted_below", Double.NaN, source, where),
                number(b, "cost", Double.NaN, source, where)));
      }
      return new CostModel(unit, under, over, bands);
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith(source)
          ? e
          : new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> map(
      Object node, String source, String what, Set<String> allowed) {
    if (!(node instanceof Map<?, ?> raw)) {
      throw new IllegalArgumentException(
          source + ": " + what + " must be a mapping of keys to values");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    raw.forEach((k, v) -> m.put(String.valueOf(k), v));
    for (String key : m.keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(
            source
                + ": unknown key '"
                + key
                + "' in "
                + what
                + "; allowed: "
                + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
    return m;
  }

  private static double number(
      Map<String, Object> m, String key, double absent, String source, String where) {
    Object v = m.get(key);
    if (v == null) {
      return absent;
    }
    if (v instanceof Number num && Double.isFinite(num.doubleValue())) {
      return num.doubleValue();
    }
    throw new IllegalArgumentException(
        source + ": " + where + key + " must be a number, got '" + v + "'");
  }
}
