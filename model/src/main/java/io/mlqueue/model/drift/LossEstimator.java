package io.mlqueue.model.drift;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.training.Algorithm;
import io.mlqueue.stats.drift.ColumnProfile;
import io.mlqueue.stats.drift.ReferenceProfile;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * NannyML's direct loss estimation for regression: a model of the absolute error, fitted on the
 * reference rows (their features and the served model's prediction as inputs, |target − prediction|
 * as the target), predicts each live row's error; their mean over a window estimates the window's
 * MAE before any label arrives. NannyML fits LightGBM; this is a Tribuo random forest, fitted where
 * it is used (it is small and deterministic: the profile's sampled rows and a fixed seed).
 */
public final class LossEstimator {
  /**
   * Trees and depth of the error model: 30 trees estimate as well as 60 on the test data set
   * (LossEstimatorTest) at half the cost per window, which the forest dominates.
   */
  static final Algorithm ERROR_MODEL = new Algorithm.Forest(30, 5, 20261204L);

  private final ServableModel errorModel;
  private final int features;

  private LossEstimator(ServableModel errorModel, int features) {
    this.errorModel = errorModel;
    this.features = features;
  }

  /** Fitted on {@code reference}'s sample; empty when the profile has no absolute errors. */
  public static Optional<LossEstimator> fit(ReferenceProfile reference) {
    if (reference.absoluteError().isEmpty()) {
      return Optional.empty();
    }
    List<ColumnProfile> inputs = new ArrayList<>(reference.features());
    inputs.add(reference.prediction());
    double[] errors = reference.absoluteError().get().sample();
    List<double[]> rows = new ArrayList<>();
    List<Double> targets = new ArrayList<>();
    double[][] columns = inputs.stream().map(ColumnProfile::sample).toArray(double[][]::new);
    for (int i = 0; i < errors.length; i++) {
      double[] row = new double[columns.length];
      boolean complete = !Double.isNaN(errors[i]);
      for (int j = 0; j < row.length; j++) {
        row[j] = columns[j][i];
        complete &= !Double.isNaN(row[j]);
      }
      if (complete) {
        rows.add(row);
        targets.add(errors[i]);
      }
    }
    if (rows.size() < 20) {
      return Optional.empty();
    }
    List<String> names = new ArrayList<>(reference.featureNames());
    names.add(ReferenceProfile.PREDICTION);
    Dataset data =
        new Dataset(
            "reference",
            names,
            ReferenceProfile.ABSOLUTE_ERROR,
            rows.toArray(double[][]::new),
            targets.stream().mapToDouble(Double::doubleValue).toArray());
    ServableModel model =
        ERROR_MODEL.fit(data, "absolute-error", "1", "reference profile", null, Clock.systemUTC());
    return Optional.of(new LossEstimator(model, reference.features().size()));
  }

  /**
   * The estimated MAE of rows given as columns (features, then the prediction), as {@link
   * io.mlqueue.stats.drift.DriftDetector#add} hands them over; rows with a missing value are left
   * out. NaN when no row is complete.
   */
  public double estimateMae(double[][] columns) {
    int n = columns[0].length;
    List<double[]> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double[] row = new double[features + 1];
      boolean complete = true;
      for (int j = 0; j <= features; j++) {
        row[j] = columns[j][i];
        complete &= !Double.isNaN(row[j]);
      }
      if (complete) {
        rows.add(row);
      }
    }
    if (rows.isEmpty()) {
      return Double.NaN;
    }
    double[] out = new double[rows.size()];
    errorModel.predictBatch(rows.toArray(double[][]::new), out);
    double sum = 0;
    for (double v : out) {
      sum += Math.max(v, 0);
    }
    return sum / out.length;
  }
}
