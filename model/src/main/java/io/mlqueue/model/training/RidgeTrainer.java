package io.mlqueue.model.training;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.FitMetrics;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.TrainingProvenance;
import java.time.Clock;
import org.tribuo.Tribuo;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;

/**
 * Ridge regression in closed form, as scikit-learn's {@code Ridge(alpha)} defines it: the
 * coefficients minimise {@code ||y - Xw - b||² + alpha ||w||²}, the intercept is not penalised.
 * With the columns centred, {@code (XcᵀXc + alpha I) w = Xcᵀyc} and {@code b = mean(y) -
 * mean(X)·w}; the system is solved by Tribuo's Cholesky factorisation.
 *
 * <p>Why not a Tribuo trainer: {@code ElasticNetCDTrainer} refuses an L1 ratio of 0 (pure ridge),
 * and the SGD trainers only approach the minimum. The closed form is exact and checked against
 * scikit-learn in the tests.
 */
final class RidgeTrainer {
  static final String TRAINER =
      "mlqueue ridge (closed form, tribuo-" + Tribuo.VERSION + " Cholesky)";

  private RidgeTrainer() {}

  static LinearModel fit(
      Dataset data,
      double penalty,
      String name,
      String version,
      String dataLabel,
      String dataSha256,
      Clock clock) {
    double[][] rows = data.rows();
    double[] y = data.targets();
    int n = rows.length;
    int p = data.featureCount();
    if (n < 2) {
      throw new IllegalArgumentException(data.name() + ": ridge needs at least 2 rows, got " + n);
    }
    double[] means = new double[p];
    for (double[] row : rows) {
      for (int j = 0; j < p; j++) {
        means[j] += row[j] / n;
      }
    }
    double yMean = 0;
    for (double v : y) {
      yMean += v / n;
    }
    double[][] gram = new double[p][p];
    double[] xty = new double[p];
    for (int i = 0; i < n; i++) {
      double yc = y[i] - yMean;
      for (int a = 0; a < p; a++) {
        double xa = rows[i][a] - means[a];
        xty[a] += xa * yc;
        for (int b = 0; b <= a; b++) {
          gram[a][b] += xa * (rows[i][b] - means[b]);
        }
      }
    }
    for (int a = 0; a < p; a++) {
      for (int b = 0; b < a; b++) {
        gram[b][a] = gram[a][b];
      }
      gram[a][a] += penalty;
    }
    // Positive definite for any positive penalty; a failure means numbers beyond double's range.
    DenseMatrix.CholeskyFactorization chol =
        DenseMatrix.createDenseMatrix(gram)
            .choleskyFactorization()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        data.name()
                            + ": the ridge system cannot be solved; are the values finite and"
                            + " of reasonable size?"));
    DenseVector w = chol.solve(DenseVector.createDenseVector(xty));
    double[] coef = new double[p];
    double intercept = yMean;
    for (int j = 0; j < p; j++) {
      coef[j] = w.get(j);
      intercept -= means[j] * coef[j];
    }
    LinearModel bare =
        new LinearModel(
            name, version, data.featureNames(), data.targetName(), intercept, coef, null);
    TrainingProvenance provenance =
        new TrainingProvenance(
            dataLabel, n, dataSha256, TRAINER, clock.instant(), FitMetrics.evaluate(bare, data));
    return new LinearModel(
        name, version, data.featureNames(), data.targetName(), intercept, coef, provenance);
  }
}
