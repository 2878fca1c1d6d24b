package io.mlqueue.model;

import io.mlqueue.data.Dataset;

/**
 * The demo model: OLS fitted on all 442 rows of the built-in diabetes data, the same model as the
 * course's pickled scikit-learn {@code LinearRegression()}. Fitted on first use rather than shipped
 * as a file, so it cannot drift from the data it came from; the first fit costs under a second,
 * most of it loading Tribuo's classes.
 */
public final class BuiltInModel {

  /** Name of the built-in model. */
  public static final String NAME = "diabetes-ols";

  /** Version of the built-in model. */
  public static final String VERSION = "builtin";

  private BuiltInModel() {}

  /** The built-in model; fitted once per process, then shared. */
  public static LinearModel get() {
    return Holder.MODEL;
  }

  // The holder idiom: the JVM runs the fit once, lazily and thread-safely, on first access.
  private static final class Holder {
    static final LinearModel MODEL = new OlsTrainer().fit(Dataset.builtIn(), NAME, VERSION);
  }
}
