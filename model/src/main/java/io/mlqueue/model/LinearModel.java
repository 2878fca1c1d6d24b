package io.mlqueue.model;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A fitted linear regression: {@code prediction = intercept + sum(coefficients[i] * features[i])},
 * with features given positionally in the order of {@link #featureNames()}. Immutable and safe to
 * share between threads.
 *
 * <p>{@link #predict} is the hot path of the model service, so it does no checking and allocates
 * nothing; validate untrusted input once with {@link #checkFeatures} before predicting.
 */
public final class LinearModel implements ServableModel {

  /** Allowed characters of a model name or version: they end up in ids, file names and logs. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]+");

  private final String name;
  private final String version;
  private final List<String> featureNames;
  private final String targetName;
  private final double intercept;
  private final double[] coefficients;
  private final TrainingProvenance provenance;

  /**
   * Creates a model.
   *
   * @param name model name, letters, digits, {@code . _ -}
   * @param version model version, same characters as the name
   * @param featureNames distinct, non-blank feature names, in input order
   * @param targetName what the model predicts
   * @param intercept the constant term
   * @param coefficients one per feature, in the order of {@code featureNames}
   * @param provenance how the model was trained, or {@code null} for a hand-made model
   * @throws IllegalArgumentException when any of the above does not hold or a number is not finite
   */
  public LinearModel(
      String name,
      String version,
      List<String> featureNames,
      String targetName,
      double intercept,
      double[] coefficients,
      TrainingProvenance provenance) {
    this.name = token("name", name);
    this.version = token("version", version);
    this.featureNames = List.copyOf(featureNames);
    this.targetName = Objects.requireNonNull(targetName, "targetName");
    this.intercept = intercept;
    this.coefficients = coefficients.clone();
    this.provenance = provenance;
    if (this.featureNames.isEmpty()) {
      throw new IllegalArgumentException("a model needs at least one feature");
    }
    Set<String> seen = new HashSet<>();
    for (String f : this.featureNames) {
      if (f.isBlank()) {
        throw new IllegalArgumentException("feature names must not be blank");
      }
      if (!seen.add(f)) {
        throw new IllegalArgumentException("feature '" + f + "' is listed twice");
      }
    }
    if (this.coefficients.length != this.featureNames.size()) {
      throw new IllegalArgumentException(
          "%d feature names but %d coefficients"
              .formatted(this.featureNames.size(), this.coefficients.length));
    }
    if (!Double.isFinite(intercept)) {
      throw new IllegalArgumentException("intercept is not a finite number: " + intercept);
    }
    for (int i = 0; i < this.coefficients.length; i++) {
      if (!Double.isFinite(this.coefficients[i])) {
        throw new IllegalArgumentException(
            "coefficient of '%s' is not a finite number: %s"
                .formatted(this.featureNames.get(i), this.coefficients[i]));
      }
    }
  }

  private static String token(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!TOKEN.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "model " + what + " '" + value + "' may use only letters, digits, '.', '_' and '-'");
    }
    return value;
  }

  /**
   * The prediction for one row. Does not validate: a row shorter than {@link #featureCount()}
   * throws {@link ArrayIndexOutOfBoundsException}, extra values are ignored, and non-finite values
   * give a non-finite prediction. Call {@link #checkFeatures} first on untrusted input.
   */
  public double predict(double[] features) {
    double sum = 0;
    for (int i = 0; i < coefficients.length; i++) {
      sum += coefficients[i] * features[i];
    }
    // Intercept last, as scikit-learn adds it, so the rounding matches its predictions.
    return sum + intercept;
  }

  /**
   * Predicts every row into {@code out}; rows are not validated (see {@link #predict}).
   *
   * @throws IllegalArgumentException if {@code out} is not as long as {@code rows}
   */
  public void predictBatch(double[][] rows, double[] out) {
    if (out.length != rows.length) {
      throw new IllegalArgumentException(
          rows.length + " rows but room for " + out.length + " predictions");
    }
    for (int r = 0; r < rows.length; r++) {
      out[r] = predict(rows[r]);
    }
  }

  /**
   * Checks that {@code features} is a row this model can predict: the right count, all finite.
   *
   * @throws IllegalArgumentException saying what is wrong, e.g. {@code expected 10 features (age,
   *     sex, …), got 3} or {@code feature 2 (bmi) is NaN}
   */
  public void checkFeatures(double[] features) {
    if (features == null) {
      throw new IllegalArgumentException("no features given (null)");
    }
    if (features.length != coefficients.length) {
      throw new IllegalArgumentException(
          "expected %d features (%s), got %d"
              .formatted(coefficients.length, String.join(", ", featureNames), features.length));
    }
    for (int i = 0; i < features.length; i++) {
      if (!Double.isFinite(features[i])) {
        throw new IllegalArgumentException(
            "feature %d (%s) is %s, not a finite number"
                .formatted(i, featureNames.get(i), features[i]));
      }
    }
  }

  /** {@code name:version}, the identity used in logs, metrics and the registry. */
  public String id() {
    return name + ":" + version;
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  /** Feature names in input order; immutable. */
  public List<String> featureNames() {
    return featureNames;
  }

  public int featureCount() {
    return coefficients.length;
  }

  public String targetName() {
    return targetName;
  }

  public double intercept() {
    return intercept;
  }

  /** A copy of the coefficients, in the order of {@link #featureNames()}. */
  public double[] coefficients() {
    return coefficients.clone();
  }

  /**
   * The coefficient of one feature.
   *
   * @throws IllegalArgumentException if the model has no such feature
   */
  public double coefficient(String featureName) {
    int i = featureNames.indexOf(featureName);
    if (i < 0) {
      throw new IllegalArgumentException(
          "model " + id() + " has no feature '" + featureName + "'; it has " + featureNames);
    }
    return coefficients[i];
  }

  /** How the model was trained; empty for a hand-made model. */
  public Optional<TrainingProvenance> provenance() {
    return Optional.ofNullable(provenance);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LinearModel m
        && name.equals(m.name)
        && version.equals(m.version)
        && featureNames.equals(m.featureNames)
        && targetName.equals(m.targetName)
        && Double.compare(intercept, m.intercept) == 0
        && Arrays.equals(coefficients, m.coefficients)
        && Objects.equals(provenance, m.provenance);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, version, featureNames, targetName, Arrays.hashCode(coefficients));
  }

  @Override
  public String toString() {
    return "LinearModel[" + id() + ", " + featureNames.size() + " features -> " + targetName + "]";
  }
}
