package io.mlqueue.model;

import io.mlqueue.data.Dataset;

/**
 * Column means and centred norms of a data set, the scaling Tribuo's LARS applies before it fits,
 * plus the checks that need them. Package-private helper of {@link OlsTrainer}.
 */
final class Standardised {
  /**
   * Smallest accepted share of a standardised column not explained by the columns before it (1 -
   * R²). Below it the columns are collinear for all practical purposes: the normal equations Tribuo
   * solves would lose about ten of sixteen digits, and the coefficients would be noise.
   */
  private static final double MIN_SHARE = 1e-10;

  /**
   * Largest accepted |cosine| between a centred column and the residuals (scaled by the target's
   * spread). At the exact OLS solution it is rounding noise, about 1e-15 on the diabetes data.
   */
  private static final double MAX_RESIDUAL_COSINE = 1e-8;

  final Dataset data;
  final double[] means;
  final double[] norms;
  final double targetMean;
  final double targetNorm;

  private Standardised(Dataset data, double[] means, double[] norms, double yMean, double yNorm) {
    this.data = data;
    this.means = means;
    this.norms = norms;
    this.targetMean = yMean;
    this.targetNorm = yNorm;
  }

  /**
   * Computes the scaling.
   *
   * @throws IllegalArgumentException if a feature or the target is constant
   */
  static Standardised of(Dataset data) {
    double[][] rows = data.rows();
    int n = rows.length;
    int p = data.featureCount();
    double[] means = new double[p];
    double[] norms = new double[p];
    for (int j = 0; j < p; j++) {
      double sum = 0;
      for (double[] row : rows) {
        sum += row[j];
      }
      means[j] = sum / n;
      double sq = 0;
      for (double[] row : rows) {
        double d = row[j] - means[j];
        sq += d * d;
      }
      norms[j] = Math.sqrt(sq);
      if (norms[j] == 0) {
        throw new IllegalArgumentException(
            "%s: feature '%s' is %s in every row, so its coefficient is undefined; drop it"
                .formatted(data.name(), data.featureNames().get(j), rows[0][j]));
      }
    }
    double[] y = data.targets();
    double sum = 0;
    for (double v : y) {
      sum += v;
    }
    double yMean = sum / n;
    double sq = 0;
    for (double v : y) {
      sq += (v - yMean) * (v - yMean);
    }
    if (sq == 0) {
      throw new IllegalArgumentException(
          "%s: target '%s' is %s in every row; there is nothing to learn"
              .formatted(data.name(), data.targetName(), y[0]));
    }
    return new Standardised(data, means, norms, yMean, Math.sqrt(sq));
  }

  /** Correlation of feature {@code j} with the target: its one-feature OLS weight, standardised. */
  double targetCorrelation(int j) {
    double[][] rows = data.rows();
    double[] y = data.targets();
    double sum = 0;
    for (int i = 0; i < rows.length; i++) {
      sum += (rows[i][j] - means[j]) * (y[i] - targetMean);
    }
    return sum / (norms[j] * targetNorm);
  }

  /**
   * Rejects collinear columns, naming one of them. A Cholesky factorisation of the correlation
   * matrix: its j-th squared pivot is the share of column j that the columns before it do not
   * explain. Tribuo would otherwise stop early or return noise without saying so.
   */
  void checkIndependent() {
    int p = means.length;
    double[][] rows = data.rows();
    double[][] corr = new double[p][p];
    for (double[] row : rows) {
      for (int a = 0; a < p; a++) {
        double za = (row[a] - means[a]) / norms[a];
        for (int b = 0; b <= a; b++) {
          corr[a][b] += za * (row[b] - means[b]) / norms[b];
        }
      }
    }
    double[][] l = new double[p][p];
    for (int j = 0; j < p; j++) {
      for (int i = 0; i <= j; i++) {
        double v = corr[j][i];
        for (int k = 0; k < i; k++) {
          v -= l[j][k] * l[i][k];
        }
        if (i < j) {
          l[j][i] = v / l[i][i];
        } else if (v < MIN_SHARE) {
          throw new IllegalArgumentException(
              ("%s: feature '%s' is (almost) a linear combination of the columns before it %s,"
                      + " so OLS has no unique solution; drop one of them")
                  .formatted(
                      data.name(), data.featureNames().get(j), data.featureNames().subList(0, j)));
        } else {
          l[j][j] = Math.sqrt(v);
        }
      }
    }
  }

  /**
   * Confirms the fit is the least-squares optimum: residuals orthogonal to every column. Guards
   * against a Tribuo release that solves or scales differently.
   */
  void checkResidualsOrthogonal(double[] coef, double intercept) {
    double[][] rows = data.rows();
    double[] y = data.targets();
    int p = coef.length;
    double[] dots = new double[p];
    for (int i = 0; i < rows.length; i++) {
      double pred = intercept;
      for (int j = 0; j < p; j++) {
        pred += coef[j] * rows[i][j];
      }
      double r = y[i] - pred;
      for (int j = 0; j < p; j++) {
        dots[j] += (rows[i][j] - means[j]) * r;
      }
    }
    for (int j = 0; j < p; j++) {
      double cos = Math.abs(dots[j]) / (norms[j] * targetNorm);
      if (!(cos <= MAX_RESIDUAL_COSINE)) {
        throw new IllegalStateException(
            "%s: the solver missed the least-squares solution (residuals correlate with '%s',"
                    .formatted(data.name(), data.featureNames().get(j))
                + " cos=%s)".formatted(cos));
      }
    }
  }
}
