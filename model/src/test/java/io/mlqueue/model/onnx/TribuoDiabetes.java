package io.mlqueue.model.onnx;

import io.mlqueue.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.slm.LARSTrainer;
import org.tribuo.regression.slm.SparseLinearModel;

/**
 * The Tribuo model behind {@link io.mlqueue.model.BuiltInModel}: LARS over all features of the
 * built-in diabetes data, whose last step is the full OLS fit. Fitted here rather than taken from
 * {@link io.mlqueue.model.OlsTrainer}, which keeps only the weights, because the tests need the
 * Tribuo model itself to export it to ONNX as a user would.
 */
final class TribuoDiabetes {

  /**
   * Tribuo logs every LARS step at INFO; quiet, as {@link io.mlqueue.model.OlsTrainer} makes it.
   * Held in a field because java.util.logging holds loggers weakly.
   */
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  static {
    TRIBUO_LOG.setLevel(Level.WARNING);
  }

  /** Fitted once: LARS is deterministic, and each test class only reads the model. */
  static final SparseLinearModel MODEL = fit(Dataset.builtIn());

  private TribuoDiabetes() {}

  private static SparseLinearModel fit(Dataset data) {
    RegressionFactory factory = new RegressionFactory();
    MutableDataset<Regressor> examples =
        new MutableDataset<>(new SimpleDataSourceProvenance(data.name(), factory), factory);
    String[] names = data.featureNames().toArray(String[]::new);
    for (int i = 0; i < data.size(); i++) {
      examples.add(new ArrayExample<>(new Regressor("y", data.target(i)), names, data.rows()[i]));
    }
    return (SparseLinearModel) new LARSTrainer().train(examples);
  }

  /**
   * The exported graph's input columns: Tribuo numbers features in name order, so the ONNX input is
   * {@code age, bmi, bp, s1, …, s6, sex}, not the order of the CSV's columns.
   */
  static List<String> onnxFeatureOrder() {
    ImmutableFeatureMap ids = MODEL.getFeatureIDMap();
    List<String> names = new ArrayList<>(ids.size());
    for (int id = 0; id < ids.size(); id++) {
      names.add(ids.get(id).getName());
    }
    return names;
  }
}
