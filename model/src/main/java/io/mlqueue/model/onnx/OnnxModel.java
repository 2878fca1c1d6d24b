package io.mlqueue.model.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.mlqueue.model.ModelFormatException;
import io.mlqueue.model.ServableModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A regression model in an ONNX file, run by ONNX Runtime on the CPU: rows of features in, one
 * number per row out. Offers the shape of {@link io.mlqueue.model.LinearModel}'s API ({@link #id},
 * {@link #featureNames}, {@link #checkFeatures}, {@link #predict(double[])}, {@link #predictBatch})
 * so both can stand behind one interface. Which graphs load, and the metadata keys read, are
 * described in {@code docs/MODEL_FORMAT.md}.
 *
 * <p>Thread-safe: ONNX Runtime allows concurrent runs of one session. {@link #close} frees the
 * native session; call it only once no prediction is running.
 */
public final class OnnxModel implements ServableModel {

  /** Metadata key: the model's name. Default: the file name without {@code .onnx}. */
  public static final String NAME_KEY = "mlqueue.name";

  /**
   * Metadata key: the model's version. Default: the ONNX {@code model_version} when it is set
   * (above 0), else the first 8 hex digits of the file's SHA-256: a version that changes with the
   * bytes.
   */
  public static final String VERSION_KEY = "mlqueue.version";

  /** Metadata key: feature names, comma-separated, in input column order. Default f0, f1, … */
  public static final String FEATURES_KEY = "mlqueue.features";

  /** Metadata key: the predicted column's name. Default: the graph's output name. */
  public static final String TARGET_KEY = "mlqueue.target";

  private final OrtSession session;
  private final OnnxSignature signature;
  private final OnnxIdentity identity;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OnnxModel(OrtSession session, OnnxSignature signature, OnnxIdentity identity) {
    this.session = session;
    this.signature = signature;
    this.identity = identity;
  }

  /**
   * Loads and checks an ONNX model.
   *
   * @throws NoSuchFileException if {@code file} does not exist
   * @throws ModelFormatException naming the file and the problem when it is not an ONNX model, or
   *     its graph or metadata is not one described in {@code docs/MODEL_FORMAT.md}
   * @throws IOException if the file cannot be read
   */
  public static OnnxModel load(Path file) throws IOException {
    return load(file, null, null);
  }

  /**
   * Loads and checks an ONNX model as {@link #load(Path)} does, but serves it as {@code
   * name:version} whatever its metadata says: how the registry serves a file it holds as a numbered
   * version, without rewriting the file.
   *
   * @param name the name to serve under, or {@code null} for the file's own
   * @param version the version to serve under, or {@code null} for the file's own
   * @throws IllegalArgumentException if {@code name} or {@code version} uses characters other than
   *     letters, digits, {@code . _ -}
   */
  public static OnnxModel load(Path file, String name, String version) throws IOException {
    return load(file, name, version, null, null);
  }

  /**
   * Loads and checks an ONNX model as {@link #load(Path, String, String)} does, reading the columns
   * {@code features} (in the graph's input order) and predicting {@code target} whatever its
   * metadata says: how the registry serves a file imported with names from elsewhere (an MLflow
   * signature).
   *
   * @param features the input columns, or {@code null} for the file's own
   * @param target the predicted column, or {@code null} for the file's own
   * @throws ModelFormatException if {@code features} does not name each of the graph's input
   *     columns once
   */
  public static OnnxModel load(
      Path file, String name, String version, List<String> features, String target)
      throws IOException {
    OnnxIdentity.checkToken("name", name);
    OnnxIdentity.checkToken("version", version);
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "ONNX model not found");
    }
    String source = file.toString();
    OrtSession session;
    try (SessionOptions options = sessionOptions()) {
      session = OrtEnvironment.getEnvironment().createSession(source, options);
    } catch (OrtException e) {
      throw new ModelFormatException(
          "ONNX model " + source + " cannot be loaded by ONNX Runtime: " + e.getMessage(), e);
    }
    try {
      OnnxSignature signature = OnnxSignature.of(session, source);
      OnnxIdentity identity =
          OnnxIdentity.of(file, session.getMetadata(), signature)
              .servedAs(name, version)
              .reading(source, features, target, signature.featureCount());
      return new OnnxModel(session, signature, identity);
    } catch (OrtException e) {
      closeQuietly(session, e);
      throw new ModelFormatException(
          "ONNX model " + source + ": cannot read its inputs, outputs or metadata: " + e, e);
    } catch (RuntimeException | IOException e) {
      closeQuietly(session, e);
      throw e;
    }
  }

  private static SessionOptions sessionOptions() throws OrtException {
    SessionOptions options = new SessionOptions();
    // Model workers scale out by processes, one per core at most: threads inside a run would only
    // compete with the other workers, and for a small model cost more to wake than they save.
    options.setIntraOpNumThreads(1);
    options.setInterOpNumThreads(1);
    options.setExecutionMode(ExecutionMode.SEQUENTIAL);
    options.setOptimizationLevel(OptLevel.ALL_OPT);
    return options;
  }

  private static void closeQuietly(OrtSession session, Exception cause) {
    try {
      session.close();
    } catch (OrtException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * Predicts every row, in one run of the graph (one run per {@code N} rows when the graph fixes
   * its batch size to {@code N}). Rows are not validated beyond their length: call {@link
   * #checkFeatures} first on untrusted input. A prediction the graph computes as NaN or infinite is
   * returned as such, for the caller to report.
   *
   * @throws ArrayIndexOutOfBoundsException if a row is shorter than {@link #featureCount()}
   * @throws IllegalStateException if ONNX Runtime fails, or after {@link #close}
   */
  public double[] predict(double[][] rows) {
    double[] out = new double[rows.length];
    predictBatch(rows, out);
    return out;
  }

  /** The prediction for one row; see {@link #predict(double[][])}. */
  public double predict(double[] row) {
    return predict(new double[][] {row})[0];
  }

  /**
   * Predicts every row into {@code out}, as {@link #predict(double[][])} does.
   *
   * @throws IllegalArgumentException if {@code out} is not as long as {@code rows}
   */
  public void predictBatch(double[][] rows, double[] out) {
    if (out.length != rows.length) {
      throw new IllegalArgumentException(
          rows.length + " rows but room for " + out.length + " predictions");
    }
    if (closed.get()) {
      throw new IllegalStateException("ONNX model " + id() + " is closed");
    }
    int chunk = signature.batchIsFixed() ? (int) signature.fixedBatch() : Math.max(rows.length, 1);
    for (int from = 0; from < rows.length; from += chunk) {
      run(rows, from, Math.min(chunk, rows.length - from), out);
    }
  }

  /** One run of the graph over {@code rows[from, from + count)}, into the same slots of out. */
  private void run(double[][] rows, int from, int count, double[] out) {
    int features = signature.featureCount();
    // A fixed batch size is padded with zero rows, whose predictions are dropped.
    long batch = signature.batchIsFixed() ? signature.fixedBatch() : count;
    long[] shape = {batch, features};
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OnnxTensor input = inputTensor(env, rows, from, count, batch, shape);
        OrtSession.Result result =
            session.run(Map.of(signature.inputName(), input), Set.of(signature.outputName()))) {
      OnnxValue value = result.get(0);
      if (!(value instanceof OnnxTensor tensor)) {
        throw new IllegalStateException(
            "ONNX model " + id() + " returned " + value.getType() + ", not a tensor");
      }
      long elements = tensor.getInfo().getNumElements();
      if (elements != batch) {
        throw new IllegalStateException(
            "ONNX model %s returned shape %s for %d rows; expected one number per row"
                .formatted(id(), OnnxSignature.shape(tensor.getInfo().getShape()), batch));
      }
      if (signature.outputType() == OnnxJavaType.FLOAT) {
        FloatBuffer values = tensor.getFloatBuffer();
        for (int r = 0; r < count; r++) {
          out[from + r] = values.get(r);
        }
      } else {
        DoubleBuffer values = tensor.getDoubleBuffer();
        values.get(0, out, from, count);
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX model " + id() + " failed to predict " + count + " rows: " + e.getMessage(), e);
    }
  }

  /**
   * The rows as a tensor of the input's element type, in a direct buffer that ONNX Runtime reads in
   * place rather than copying.
   */
  private OnnxTensor inputTensor(
      OrtEnvironment env, double[][] rows, int from, int count, long batch, long[] shape)
      throws OrtException {
    int features = signature.featureCount();
    int cells = Math.toIntExact(batch * features);
    if (signature.inputType() == OnnxJavaType.FLOAT) {
      FloatBuffer buffer = direct(cells * Float.BYTES).asFloatBuffer();
      for (int r = 0; r < count; r++) {
        double[] row = rows[from + r];
        for (int f = 0; f < features; f++) {
          buffer.put((float) row[f]);
        }
      }
      return OnnxTensor.createTensor(env, buffer.rewind(), shape);
    }
    DoubleBuffer buffer = direct(cells * Double.BYTES).asDoubleBuffer();
    for (int r = 0; r < count; r++) {
      buffer.put(rows[from + r], 0, features);
    }
    return OnnxTensor.createTensor(env, buffer.rewind(), shape);
  }

  private static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  /**
   * Checks that {@code features} is a row this model can predict: the right count, all finite, and
   * for a float input all within float's range (a larger double would reach the graph as infinity).
   *
   * @throws IllegalArgumentException saying what is wrong, as {@link
   *     io.mlqueue.model.LinearModel#checkFeatures} does
   */
  public void checkFeatures(double[] features) {
    if (features == null) {
      throw new IllegalArgumentException("no features given (null)");
    }
    int expected = signature.featureCount();
    if (features.length != expected) {
      throw new IllegalArgumentException(
          "expected %d features (%s), got %d"
              .formatted(expected, String.join(", ", featureNames()), features.length));
    }
    boolean toFloat = signature.inputType() == OnnxJavaType.FLOAT;
    for (int i = 0; i < features.length; i++) {
      double x = features[i];
      if (!Double.isFinite(x)) {
        throw new IllegalArgumentException(
            "feature %d (%s) is %s, not a finite number".formatted(i, featureNames().get(i), x));
      }
      if (toFloat && Math.abs(x) > Float.MAX_VALUE) {
        throw new IllegalArgumentException(
            "feature %d (%s) is %s, beyond the float range of the model's input"
                .formatted(i, featureNames().get(i), x));
      }
    }
  }

  /** {@code name:version}, the identity used in logs, metrics and prediction messages. */
  public String id() {
    return identity.name() + ":" + identity.version();
  }

  public String name() {
    return identity.name();
  }

  public String version() {
    return identity.version();
  }

  /** Feature names in input column order; immutable. */
  public List<String> featureNames() {
    return identity.featureNames();
  }

  public int featureCount() {
    return signature.featureCount();
  }

  /** What the model predicts: its {@code mlqueue.target} metadata, else the graph's output name. */
  public String targetName() {
    return identity.targetName();
  }

  /** Whether the graph computes in float (single precision) rather than double. */
  public boolean isSinglePrecision() {
    return signature.inputType() == OnnxJavaType.FLOAT
        || signature.outputType() == OnnxJavaType.FLOAT;
  }

  /** The graph's input tensor, {@code [N, featureCount]}. */
  public String inputName() {
    return signature.inputName();
  }

  /** The graph's output tensor, one number per row. */
  public String outputName() {
    return signature.outputName();
  }

  /**
   * The input's element type as numpy (and MLflow's tensor signatures) name it: float32, float64.
   */
  public String inputDtype() {
    return signature.inputType() == OnnxJavaType.FLOAT ? "float32" : "float64";
  }

  /** The output's element type, as {@link #inputDtype()}. */
  public String outputDtype() {
    return signature.outputType() == OnnxJavaType.FLOAT ? "float32" : "float64";
  }

  /** Whether {@link #close} has freed the native session. */
  public boolean isClosed() {
    return closed.get();
  }

  /** Frees the native session. Idempotent; predicting afterwards throws. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        session.close();
      } catch (OrtException e) {
        throw new IllegalStateException("closing ONNX model " + id() + " failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "OnnxModel[%s, %d features (%s) -> %s]"
        .formatted(
            id(),
            featureCount(),
            signature.inputType().name().toLowerCase(Locale.ROOT),
            targetName());
  }
}
