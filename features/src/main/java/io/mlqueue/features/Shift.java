package io.mlqueue.features;

import io.mlqueue.data.Dataset;

/**
 * A controlled drift for demos and tests: {@code delta} added to feature {@code feature} in every
 * pair from the {@code fromPair}-th on (counted from 0, over single and bulk messages alike). The
 * truth sent to {@code y_true} is left as it was, so the model's error moves as a real shift in its
 * inputs would move it.
 *
 * @param feature the feature's name in the data
 * @param index its column in the data
 * @param delta added to the value
 * @param fromPair the first pair shifted
 */
public record Shift(String feature, int index, double delta, long fromPair) {

  public Shift {
    if (!Double.isFinite(delta)) {
      throw new IllegalArgumentException(
          "--shift " + feature + ": the delta must be a finite number");
    }
    if (fromPair < 0) {
      throw new IllegalArgumentException(
          "--shift " + feature + ": the first pair must not be negative");
    }
  }

  /**
   * Parses {@code FEATURE:DELTA[@N]} (e.g. {@code bmi:0.05@2000}) against {@code data}'s feature
   * names; without {@code @N} the shift starts with the first pair.
   */
  public static Shift parse(String spec, Dataset data) {
    int colon = spec.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "--shift '" + spec + "': expected FEATURE:DELTA[@N], e.g. bmi:0.05@2000");
    }
    String name = spec.substring(0, colon);
    String rest = spec.substring(colon + 1);
    int at = rest.indexOf('@');
    double delta;
    long from;
    try {
      delta = Double.parseDouble(at < 0 ? rest : rest.substring(0, at));
      from = at < 0 ? 0 : Long.parseLong(rest.substring(at + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--shift '" + spec + "': expected FEATURE:DELTA[@N] with numbers, e.g. bmi:0.05@2000");
    }
    int index = data.featureNames().indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException(
          "--shift '"
              + spec
              + "': "
              + data.name()
              + " has no feature '"
              + name
              + "' (it has "
              + data.featureNames()
              + ")");
    }
    return new Shift(name, index, delta, from);
  }

  /** {@code row} as pair number {@code pair} is sent: a shifted copy, or the row itself. */
  double[] apply(double[] row, long pair) {
    if (pair < fromPair) {
      return row;
    }
    double[] out = row.clone();
    out[index] += delta;
    return out;
  }

  @Override
  public String toString() {
    return feature + (delta >= 0 ? " +" : " ") + delta + " from pair " + fromPair;
  }
}
