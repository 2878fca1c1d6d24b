package io.mlqueue.model;

import io.mlqueue.data.Dataset;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.MutableDataset;
import org.tribuo.Tribuo;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.SparseVector;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.slm.LARSTrainer;
import org.tribuo.regression.slm.SparseLinearModel;

/**
 * Ordinary least squares with an intercept, the model scikit-learn's {@code LinearRegression()}
 * fits. The solve is Tribuo's {@link LARSTrainer} run over all features: its last step is the full
 * least-squares solution. Thread-safe; each fit uses a fresh Tribuo trainer.
 *
 * <p>Refuses data on which OLS has no unique answer (fewer rows than parameters, a constant column,
 * collinear columns, a constant target) instead of returning an arbitrary solution.
 */
public final class OlsTrainer {

  /** Trainer description recorded in every model's provenance. */
  public static final String TRAINER = "tribuo-" + Tribuo.VERSION + " LARSTrainer (full OLS path)";

  /** Trainer description for one-feature data, which Tribuo's LARS cannot fit. */
  public static final String SINGLE_FEATURE_TRAINER = "mlqueue closed-form OLS (one feature)";

  /**
   * Tribuo logs every LARS step at INFO through java.util.logging. Held in a field because JUL
   * holds loggers weakly: a collected logger would forget the level set here.
   */
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  static {
    // Only when nobody configured it: an operator who asks for Tribuo's chatter still gets it.
    if (TRIBUO_LOG.getLevel() == null) {
      TRIBUO_LOG.setLevel(Level.WARNING);
    }
  }

  /** Tribuo's name for the single output; the real target name lives in the LinearModel. */
  private static final String OUTPUT = "y";

  private final Clock clock;

  /** A trainer that stamps models with the system UTC clock. */
  public OlsTrainer() {
    this(Clock.systemUTC());
  }

  /** A trainer that stamps models with {@code clock}. */
  public OlsTrainer(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Fits {@code data}; the provenance records {@code data.name()} and no file hash.
   *
   * @throws IllegalArgumentException in plain words when OLS has no unique solution on the data
   */
  public LinearModel fit(Dataset data, String name, String version) {
    return fit(data, name, version, data.name(), null);
  }

  /**
   * Fits {@code data}, recording {@code dataLabel} and {@code dataSha256} (null when not from a
   * file) as its origin.
   *
   * @throws IllegalArgumentException in plain words when OLS has no unique solution on the data
   */
  public LinearModel fit(
      Dataset data, String name, String version, String dataLabel, String dataSha256) {
    checkShape(data);
    Standardised s = Standardised.of(data);
    s.checkIndependent();

    // Tribuo's LARS chooses each step among the features not yet in the model and fails when
    // there are none, i.e. with a single feature. That case has a closed form: in standardised
    // units the OLS weight is the correlation with the target.
    boolean single = data.featureCount() == 1;
    double[] weights = single ? new double[] {s.targetCorrelation(0)} : tribuoWeights(data);
    // Weights are in standardised units (column and target centred, scaled to unit norm).
    int p = data.featureCount();
    double[] coef = new double[p];
    for (int j = 0; j < p; j++) {
      coef[j] = weights[j] * s.targetNorm / s.norms[j];
    }
    // As scikit-learn does: the intercept makes the fit pass through the means.
    double intercept = s.targetMean;
    for (int j = 0; j < p; j++) {
      intercept -= s.means[j] * coef[j];
    }
    s.checkResidualsOrthogonal(coef, intercept);

    List<String> names = data.featureNames();
    LinearModel bare =
        new LinearModel(name, version, names, data.targetName(), intercept, coef, null);
    TrainingProvenance provenance =
        new TrainingProvenance(
            dataLabel,
            data.size(),
            dataSha256,
            single ? SINGLE_FEATURE_TRAINER : TRAINER,
            clock.instant(),
            FitMetrics.evaluate(bare, data));
    return new LinearModel(name, version, names, data.targetName(), intercept, coef, provenance);
  }

  private static void checkShape(Dataset data) {
    Set<String> seen = new HashSet<>();
    for (String f : data.featureNames()) {
      if (!seen.add(f)) {
        throw new IllegalArgumentException(data.name() + ": column '" + f + "' appears twice");
      }
    }
    int params = data.featureCount() + 1;
    if (data.size() < params) {
      throw new IllegalArgumentException(
          "%s: %d rows cannot determine %d parameters (an intercept and %d coefficients);"
                  .formatted(data.name(), data.size(), params, data.featureCount())
              + " need at least %d rows".formatted(params));
    }
  }

  /** The LARS weights of the standardised problem, in the order of the data's columns. */
  private static double[] tribuoWeights(Dataset data) {
    RegressionFactory factory = new RegressionFactory();
    MutableDataset<Regressor> examples =
        new MutableDataset<>(new SimpleDataSourceProvenance(data.name(), factory), factory);
    String[] names = data.featureNames().toArray(String[]::new);
    double[][] rows = data.rows();
    for (int i = 0; i < rows.length; i++) {
      examples.add(new ArrayExample<>(new Regressor(OUTPUT, data.target(i)), names, rows[i]));
    }
    SparseLinearModel model;
    try {
      model = (SparseLinearModel) new LARSTrainer().train(examples);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          data.name() + ": Tribuo's LARS failed (" + e + "); the data may be degenerate", e);
    }
    SparseVector w = model.getWeights().get(OUTPUT);
    // Tribuo numbers features in name order, not column order: look each one up by name.
    ImmutableFeatureMap ids = model.getFeatureIDMap();
    double[] out = new double[names.length];
    for (int j = 0; j < names.length; j++) {
      int id = ids.getID(names[j]);
      if (id < 0) {
        throw new IllegalStateException("the Tribuo model has no weight for '" + names[j] + "'");
      }
      out[j] = w.get(id);
    }
    return out;
  }
}
