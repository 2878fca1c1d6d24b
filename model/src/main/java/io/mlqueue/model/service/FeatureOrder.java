package io.mlqueue.model.service;

import io.mlqueue.model.ServableModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts named columns into the order of a model's features, or says in words why they do not fit.
 */
final class FeatureOrder {
  private FeatureOrder() {}

  /**
   * The rows with their columns in {@code model}'s order, each checked by the model. {@code names}
   * empty means they already are in its order.
   *
   * @throws IllegalArgumentException naming the unknown or missing features, the wrong length, or
   *     the value the model cannot take
   */
  static double[][] toModelOrder(ServableModel model, List<String> names, double[][] rows) {
    double[][] ordered =
        names.isEmpty() || names.equals(model.featureNames()) ? rows : reorder(model, names, rows);
    // However the columns came, the model checks the rows it will read: a value out of its range
    // must not reach it because the client named its features.
    for (double[] row : ordered) {
      model.checkFeatures(row);
    }
    return ordered;
  }

  private static double[][] reorder(ServableModel model, List<String> names, double[][] rows) {
    List<String> expected = model.featureNames();
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      position.put(names.get(i), i);
    }
    for (String name : names) {
      if (!expected.contains(name)) {
        throw new IllegalArgumentException(
            "unknown feature '" + name + "'; the model expects " + String.join(", ", expected));
      }
    }
    int[] from = new int[expected.size()];
    for (int i = 0; i < expected.size(); i++) {
      Integer p = position.get(expected.get(i));
      if (p == null) {
        throw new IllegalArgumentException(
            "missing feature '"
                + expected.get(i)
                + "'; the model expects "
                + String.join(", ", expected));
      }
      from[i] = p;
    }
    double[][] ordered = new double[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length != names.size()) {
        throw new IllegalArgumentException(
            "instance "
                + r
                + " has "
                + rows[r].length
                + " values for "
                + names.size()
                + " feature names");
      }
      double[] row = new double[from.length];
      for (int i = 0; i < from.length; i++) {
        row[i] = rows[r][from[i]];
      }
      ordered[r] = row;
    }
    return ordered;
  }
}
