package io.mlqueue.stats.drift;

import java.util.List;
import java.util.Optional;

/**
 * The reference a model's inputs and outputs are watched against: a profile per feature, in the
 * model's feature order, and one of the model's predictions on the same rows.
 *
 * @param rows rows of the reference data
 * @param features one profile per feature, in the model's order
 * @param prediction the profile of the model's predictions on the reference rows
 * @param absoluteError the profile of |target − prediction| on them, when the targets were known;
 *     its sample, on the same rows as the others', is what a model of the error is fitted on
 */
public record ReferenceProfile(
    long rows,
    List<ColumnProfile> features,
    ColumnProfile prediction,
    Optional<ColumnProfile> absoluteError) {
  /** The name the prediction's column goes by, in profiles, metrics and reports. */
  public static final String PREDICTION = "prediction";

  /** The name of the absolute error's column. */
  public static final String ABSOLUTE_ERROR = "absolute_error";

  /** The reservoir's seed: the same data gives the same profile. */
  public static final long SEED = 20261204L;

  public ReferenceProfile {
    features = List.copyOf(features);
    java.util.Objects.requireNonNull(prediction, "prediction");
    java.util.Objects.requireNonNull(absoluteError, "absoluteError");
    int n = prediction.sample().length;
    for (ColumnProfile c : features) {
      if (c.sample().length != n) {
        throw new IllegalArgumentException(
            "reference profile: column "
                + c.name()
                + " has "
                + c.sample().length
                + " sampled rows, the prediction "
                + n
                + "; samples are of the same rows");
      }
    }
  }

  /**
   * Profiles {@code rows}, the predictions on them and, when {@code targets} is not null, the
   * absolute errors.
   */
  public static ReferenceProfile of(
      List<String> featureNames, double[][] rows, double[] predictions, double[] targets) {
    if (rows.length != predictions.length || (targets != null && targets.length != rows.length)) {
      throw new IllegalArgumentException(
          rows.length
              + " rows but "
              + predictions.length
              + " predictions"
              + (targets == null ? "" : " and " + targets.length + " targets"));
    }
    int[] sampled = ColumnProfile.sampleRows(rows.length, ColumnProfile.SAMPLE_CAP, SEED);
    java.util.ArrayList<ColumnProfile> columns = new java.util.ArrayList<>();
    for (int j = 0; j < featureNames.size(); j++) {
      double[] column = new double[rows.length];
      for (int i = 0; i < rows.length; i++) {
        column[i] = rows[i][j];
      }
      columns.add(ColumnProfile.of(featureNames.get(j), column, sampled));
    }
    Optional<ColumnProfile> errors = Optional.empty();
    if (targets != null) {
      double[] e = new double[rows.length];
      for (int i = 0; i < e.length; i++) {
        e[i] = Math.abs(targets[i] - predictions[i]);
      }
      errors = Optional.of(ColumnProfile.of(ABSOLUTE_ERROR, e, sampled));
    }
    return new ReferenceProfile(
        rows.length, columns, ColumnProfile.of(PREDICTION, predictions, sampled), errors);
  }

  /** The features' names, in order. */
  public List<String> featureNames() {
    return ColumnProfile.names(features);
  }
}
