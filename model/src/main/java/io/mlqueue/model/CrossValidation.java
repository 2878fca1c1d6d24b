package io.mlqueue.model;

import io.mlqueue.data.Dataset;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * K-fold cross-validation: each fold's rows are held out, the model (ordinary least squares unless
 * another fit is given) is fitted on the others and scored on them. It estimates how the model does
 * on rows it has not seen, which the in-sample metrics overstate. The folds are contiguous and
 * unshuffled, as scikit-learn's {@code KFold(n_splits=k)}, so the result depends on the data alone:
 * the same file always gives the same figures.
 */
public final class CrossValidation {

  /** Folds used by {@code train}. */
  public static final int DEFAULT_FOLDS = 5;

  /**
   * One held-out fold.
   *
   * @param testRows rows held out
   * @param metrics the fold's model scored on them
   */
  public record Fold(int testRows, FitMetrics metrics) {}

  /**
   * The folds and their mean.
   *
   * @param splitter how the rows were split, for the record
   * @param folds each fold's score, in order
   * @param mean the unweighted mean of the folds' metrics (scikit-learn's {@code
   *     cross_val_score(...).mean()})
   */
  public record Result(String splitter, List<Fold> folds, FitMetrics mean) {
    public Result {
      Objects.requireNonNull(splitter, "splitter");
      folds = List.copyOf(folds);
      Objects.requireNonNull(mean, "mean");
    }
  }

  private CrossValidation() {}

  /**
   * The test rows of each of {@code k} contiguous folds over {@code n} rows: the first {@code n %
   * k} folds hold one row more, as in scikit-learn's {@code KFold}.
   */
  public static List<int[]> contiguousFolds(int n, int k) {
    if (k < 2 || n < k) {
      throw new IllegalArgumentException("cannot split " + n + " rows into " + k + " folds");
    }
    List<int[]> folds = new ArrayList<>(k);
    int start = 0;
    for (int f = 0; f < k; f++) {
      int size = n / k + (f < n % k ? 1 : 0);
      int[] rows = new int[size];
      for (int i = 0; i < size; i++) {
        rows[i] = start + i;
      }
      folds.add(rows);
      start += size;
    }
    return folds;
  }

  /**
   * Cross-validates OLS on {@code data} with {@code k} contiguous folds.
   *
   * @throws IllegalArgumentException when a fold has fewer than two rows or OLS cannot be fitted on
   *     the rows left for training (too few, or collinear once a fold is held out)
   */
  public static Result kFold(Dataset data, int k) {
    // The fold models are thrown away; a fixed clock keeps the fit from reading the time.
    OlsTrainer trainer = new OlsTrainer(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    return kFold(data, k, training -> trainer.fit(training, "cv", "fold"));
  }

  /**
   * Cross-validates the models {@code fit} makes on {@code data} with {@code k} contiguous folds.
   *
   * @throws IllegalArgumentException when a fold has fewer than two rows or {@code fit} refuses the
   *     rows left for training
   */
  public static Result kFold(Dataset data, int k, Function<Dataset, ServableModel> fit) {
    if (data.size() < 2 * k) {
      throw new IllegalArgumentException(
          "%d rows are too few for %d folds of at least 2 rows".formatted(data.size(), k));
    }
    return evaluate(
        data,
        contiguousFolds(data.size(), k),
        "KFold(n_splits=%d, shuffle=False)".formatted(k),
        fit);
  }

  /**
   * Cross-validates OLS on {@code data}, holding out each of {@code testFolds} in turn (row
   * indices; they should partition the rows).
   *
   * @throws IllegalArgumentException when OLS cannot be fitted on a fold's training rows
   */
  public static Result evaluate(Dataset data, List<int[]> testFolds, String splitter) {
    OlsTrainer trainer = new OlsTrainer(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    return evaluate(data, testFolds, splitter, training -> trainer.fit(training, "cv", "fold"));
  }

  /**
   * Cross-validates the models {@code fit} makes, holding out each of {@code testFolds} in turn.
   *
   * @throws IllegalArgumentException when {@code fit} refuses a fold's training rows
   */
  public static Result evaluate(
      Dataset data, List<int[]> testFolds, String splitter, Function<Dataset, ServableModel> fit) {
    List<Fold> folds = new ArrayList<>(testFolds.size());
    double r2 = 0;
    double mae = 0;
    double rmse = 0;
    for (int f = 0; f < testFolds.size(); f++) {
      int[] test = testFolds.get(f);
      boolean[] held = new boolean[data.size()];
      for (int row : test) {
        held[row] = true;
      }
      Dataset training = subset(data, held, false, "fold " + f + " training rows");
      Dataset heldOut = subset(data, held, true, "fold " + f + " test rows");
      FitMetrics m;
      try (ServableModel model = fit.apply(training)) {
        m = FitMetrics.evaluate(model, heldOut);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "cross-validation fold %d: %s".formatted(f, e.getMessage()), e);
      }
      folds.add(new Fold(test.length, m));
      r2 += m.r2();
      mae += m.mae();
      rmse += m.rmse();
    }
    int k = folds.size();
    return new Result(splitter, folds, new FitMetrics(r2 / k, mae / k, rmse / k));
  }

  private static Dataset subset(Dataset data, boolean[] held, boolean wanted, String name) {
    List<double[]> rows = new ArrayList<>();
    List<Double> targets = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      if (held[i] == wanted) {
        rows.add(data.features(i));
        targets.add(data.target(i));
      }
    }
    double[] t = new double[targets.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = targets.get(i);
    }
    return new Dataset(
        data.name() + " (" + name + ")",
        data.featureNames(),
        data.targetName(),
        rows.toArray(double[][]::new),
        t);
  }
}
