package io.mlqueue.model.training;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.OlsTrainer;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.format.ModelFormat;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A learning algorithm with its settings, as {@code train --algo} names it. Each is one record,
 * validated when made, with messages naming the option; {@link #parameters()} is what the run
 * record keeps, so two runs can be compared setting by setting.
 *
 * <p>{@link Ols} and {@link Ridge} give a {@link io.mlqueue.model.LinearModel} (our JSON artifact,
 * exportable to ONNX); {@link Tree}, {@link Forest} and {@link Gbt} give a {@link
 * io.mlqueue.model.tribuo.TribuoModel} (Tribuo's own file: Tribuo 4.3 cannot write trees to ONNX).
 */
public sealed interface Algorithm {

  /** {@code ols}, {@code ridge}, {@code tree}, {@code forest} or {@code gbt}. */
  String label();

  /** The settings by name (snake_case, as in a params file), values as text; sorted. */
  Map<String, String> parameters();

  /** What does the fit, with its version: for the run record. */
  String trainer();

  /** The file format of the models it makes. */
  default ModelFormat format() {
    return ModelFormat.TRIBUO;
  }

  /**
   * Fits {@code data}, named {@code name:version}; {@code dataLabel} and {@code dataSha256} (null
   * when not from a file) say where the data came from, {@code clock} when.
   *
   * @throws IllegalArgumentException in plain words when the data cannot be fitted
   */
  ServableModel fit(
      Dataset data, String name, String version, String dataLabel, String dataSha256, Clock clock);

  /** Ordinary least squares, scikit-learn's {@code LinearRegression()}. */
  record Ols() implements Algorithm {
    @Override
    public String label() {
      return "ols";
    }

    @Override
    public Map<String, String> parameters() {
      return Map.of("fit_intercept", "true");
    }

    @Override
    public String trainer() {
      return OlsTrainer.TRAINER;
    }

    @Override
    public ModelFormat format() {
      return ModelFormat.LINEAR;
    }

    @Override
    public ServableModel fit(
        Dataset data, String name, String version, String label, String sha, Clock clock) {
      return new OlsTrainer(clock).fit(data, name, version, label, sha);
    }
  }

  /**
   * Least squares with an L2 penalty on the coefficients (not the intercept): scikit-learn's {@code
   * Ridge(alpha=penalty)}.
   *
   * @param penalty the weight of the squared coefficients, {@code alpha}; positive
   */
  record Ridge(double penalty) implements Algorithm {
    public static final double DEFAULT_PENALTY = 1.0;

    public Ridge {
      if (!(penalty > 0) || !Double.isFinite(penalty)) {
        throw new IllegalArgumentException(
            "--penalty must be a positive number, was " + penalty + " (for none, use --algo ols)");
      }
    }

    @Override
    public String label() {
      return "ridge";
    }

    @Override
    public Map<String, String> parameters() {
      return Map.of("penalty", number(penalty), "fit_intercept", "true");
    }

    @Override
    public String trainer() {
      return RidgeTrainer.TRAINER;
    }

    @Override
    public ModelFormat format() {
      return ModelFormat.LINEAR;
    }

    @Override
    public ServableModel fit(
        Dataset data, String name, String version, String label, String sha, Clock clock) {
      return RidgeTrainer.fit(data, penalty, name, version, label, sha, clock);
    }
  }

  /**
   * One regression tree (CART, squared error), grown to {@code maxDepth}.
   *
   * @param maxDepth the deepest a leaf may be, 1 to {@value TreeTrainers#MAX_DEPTH}
   */
  record Tree(int maxDepth) implements Algorithm {
    public static final int DEFAULT_MAX_DEPTH = 4;

    public Tree {
      TreeTrainers.checkDepth(maxDepth);
    }

    @Override
    public String label() {
      return "tree";
    }

    @Override
    public Map<String, String> parameters() {
      return map(
          "max_depth", String.valueOf(maxDepth),
          "min_child_weight", number(TreeTrainers.MIN_CHILD_WEIGHT));
    }

    @Override
    public String trainer() {
      return TreeTrainers.TRIBUO + " CARTRegressionTrainer";
    }

    @Override
    public ServableModel fit(
        Dataset data, String name, String version, String label, String sha, Clock clock) {
      return TreeTrainers.fit(TreeTrainers.cart(maxDepth, 1.0f, 0L), data, name, version);
    }
  }

  /**
   * A random forest: {@code trees} CART trees, each on a bootstrap sample of the rows and choosing
   * each split among a third of the features, their predictions averaged.
   *
   * @param trees how many trees, 1 to {@value TreeTrainers#MAX_TREES}
   * @param maxDepth the deepest a leaf may be
   * @param seed the random seed: the same seed and data give the same forest
   */
  record Forest(int trees, int maxDepth, long seed) implements Algorithm {
    public static final int DEFAULT_TREES = 50;
    public static final int DEFAULT_MAX_DEPTH = 6;

    public Forest {
      TreeTrainers.checkTrees(trees);
      TreeTrainers.checkDepth(maxDepth);
    }

    @Override
    public String label() {
      return "forest";
    }

    @Override
    public Map<String, String> parameters() {
      return map(
          "trees", String.valueOf(trees),
          "max_depth", String.valueOf(maxDepth),
          "seed", String.valueOf(seed),
          "feature_fraction", number(TreeTrainers.FOREST_FEATURE_FRACTION),
          "min_child_weight", number(TreeTrainers.MIN_CHILD_WEIGHT));
    }

    @Override
    public String trainer() {
      return TreeTrainers.TRIBUO + " RandomForestTrainer(CARTRegressionTrainer)";
    }

    @Override
    public ServableModel fit(
        Dataset data, String name, String version, String label, String sha, Clock clock) {
      return TreeTrainers.fit(TreeTrainers.forest(trees, maxDepth, seed), data, name, version);
    }
  }

  /**
   * Gradient-boosted regression trees by XGBoost (squared error), {@code trees} rounds each adding
   * a tree of depth {@code maxDepth}, shrunk by {@code learningRate}.
   *
   * @param trees boosting rounds, 1 to {@value TreeTrainers#MAX_TREES}
   * @param maxDepth depth of each tree
   * @param learningRate shrinkage of each tree, XGBoost's {@code eta}: above 0, at most 1
   * @param seed the random seed
   */
  record Gbt(int trees, int maxDepth, double learningRate, long seed) implements Algorithm {
    public static final int DEFAULT_TREES = 100;
    public static final int DEFAULT_MAX_DEPTH = 3;
    public static final double DEFAULT_LEARNING_RATE = 0.1;

    public Gbt {
      TreeTrainers.checkTrees(trees);
      TreeTrainers.checkDepth(maxDepth);
      if (!(learningRate > 0 && learningRate <= 1)) {
        throw new IllegalArgumentException(
            "--learning-rate must be above 0 and at most 1, was " + learningRate);
      }
    }

    @Override
    public String label() {
      return "gbt";
    }

    @Override
    public Map<String, String> parameters() {
      return map(
          "trees", String.valueOf(trees),
          "max_depth", String.valueOf(maxDepth),
          "learning_rate", number(learningRate),
          "seed", String.valueOf(seed),
          "subsample", "1");
    }

    @Override
    public String trainer() {
      return TreeTrainers.TRIBUO + " XGBoostRegressionTrainer (XGBoost)";
    }

    @Override
    public ServableModel fit(
        Dataset data, String name, String version, String label, String sha, Clock clock) {
      return TreeTrainers.fit(
          TreeTrainers.xgboost(trees, maxDepth, learningRate, seed), data, name, version);
    }
  }

  /** A number as the run record shows it: {@code 1} rather than {@code 1.0}. */
  private static String number(double x) {
    return x == Math.rint(x) && Math.abs(x) < 1e15
        ? String.valueOf((long) x)
        : String.format(Locale.ROOT, "%s", x);
  }

  private static Map<String, String> map(String... keysAndValues) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      out.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return Map.copyOf(out);
  }
}
