package io.mlqueue.model.training;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.tribuo.TribuoModel;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.Tribuo;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.rtree.impurity.MeanSquaredError;
import org.tribuo.regression.xgboost.XGBoostRegressionTrainer;

/** The Tribuo trainers behind {@code tree}, {@code forest} and {@code gbt}, and their limits. */
final class TreeTrainers {
  static final String TRIBUO = "tribuo-" + Tribuo.VERSION;

  static final int MAX_DEPTH = 32;
  static final int MAX_TREES = 10_000;

  /**
   * Tribuo's minimum child weight, its default. Measured against scikit-learn: it acts as {@code
   * min_samples_split=5} (a node of fewer than 5 rows is not split), not as a bound on a leaf's
   * rows: a depth-3 tree of the diabetes data has a 2-row leaf in both.
   */
  static final float MIN_CHILD_WEIGHT = 5f;

  /**
   * The share of features a forest's split chooses among: a third, Breiman's default for
   * regression. Tribuo's random forest requires less than all of them.
   */
  static final double FOREST_FEATURE_FRACTION = 1.0 / 3;

  /**
   * Tribuo logs each tree and each LARS step at INFO; held here as java.util.logging holds loggers
   * weakly.
   */
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  static {
    if (TRIBUO_LOG.getLevel() == null) {
      TRIBUO_LOG.setLevel(Level.WARNING);
    }
  }

  private TreeTrainers() {}

  static void checkDepth(int maxDepth) {
    if (maxDepth < 1 || maxDepth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "--max-depth must be from 1 to " + MAX_DEPTH + ", was " + maxDepth);
    }
  }

  static void checkTrees(int trees) {
    if (trees < 1 || trees > MAX_TREES) {
      throw new IllegalArgumentException(
          "--trees must be from 1 to " + MAX_TREES + ", was " + trees);
    }
  }

  static CARTRegressionTrainer cart(int maxDepth, float featureFraction, long seed) {
    return new CARTRegressionTrainer(
        maxDepth, MIN_CHILD_WEIGHT, 0f, featureFraction, false, new MeanSquaredError(), seed);
  }

  static RandomForestTrainer<Regressor> forest(int trees, int maxDepth, long seed) {
    return new RandomForestTrainer<>(
        cart(maxDepth, (float) FOREST_FEATURE_FRACTION, seed),
        new AveragingCombiner(),
        trees,
        seed);
  }

  static XGBoostRegressionTrainer xgboost(int trees, int maxDepth, double eta, long seed) {
    // One thread: model workers and trainings share the machine's cores with everything else.
    return new XGBoostRegressionTrainer(
        XGBoostRegressionTrainer.RegressionType.LINEAR,
        trees,
        eta,
        0, // gamma: no minimum loss reduction for a split
        maxDepth,
        1, // minimum child weight, XGBoost's default
        1, // every row in every round
        1, // every feature in every tree
        1, // L2 penalty on leaf weights, XGBoost's default
        0, // no L1 penalty
        1,
        true,
        seed);
  }

  /** Trains {@code trainer} on every row of {@code data}, named {@code name:version}. */
  static TribuoModel fit(Trainer<Regressor> trainer, Dataset data, String name, String version) {
    RegressionFactory factory = new RegressionFactory();
    MutableDataset<Regressor> examples =
        new MutableDataset<>(new SimpleDataSourceProvenance(data.name(), factory), factory);
    String[] names = data.featureNames().toArray(String[]::new);
    double[][] rows = data.rows();
    for (int i = 0; i < rows.length; i++) {
      examples.add(
          new ArrayExample<>(new Regressor(data.targetName(), data.target(i)), names, rows[i]));
    }
    Model<Regressor> model;
    try {
      model =
          trainer.train(
              examples,
              TribuoModel.provenance(name, version, data.featureNames(), data.targetName()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          data.name() + ": Tribuo could not train " + trainer + ": " + e.getMessage(), e);
    }
    return TribuoModel.of(model);
  }
}
