package io.mlqueue.model;

import java.util.List;

/**
 * What the model worker needs of a model: who it is, which columns it reads, and predictions.
 * Served today: {@link LinearModel} (our own artifacts, the built-in model, registry versions),
 * {@link io.mlqueue.model.onnx.OnnxModel} (a regression exported to ONNX elsewhere) and {@link
 * io.mlqueue.model.tribuo.TribuoModel} (trees, forests and boosted trees trained here); {@link
 * io.mlqueue.model.format.ModelFormat} lists them and their files.
 *
 * <p>Implementations are safe to call from several threads at once: the stream's consumer and the
 * request server's batches predict concurrently.
 *
 * <p>Closeable because some hold native resources (an ONNX session): whoever loads a model closes
 * it once no prediction uses it. For the others {@link #close} does nothing.
 */
public interface ServableModel extends AutoCloseable {

  /** {@code name:version}, the label every {@code y_pred} and reply carries. */
  String id();

  String name();

  String version();

  /** The columns a row holds, in the model's order. */
  List<String> featureNames();

  int featureCount();

  /** The predicted column. */
  String targetName();

  /**
   * Refuses a row this model cannot read: the wrong length, a non-finite value, or a value out of
   * the model's range.
   *
   * @throws IllegalArgumentException saying what is wrong, in words a sender can act on
   */
  void checkFeatures(double[] features);

  /** The prediction for one row already checked with {@link #checkFeatures}. */
  double predict(double[] features);

  /**
   * Predicts every row into {@code out} at once (rows already checked).
   *
   * @throws IllegalArgumentException if {@code out} is not as long as {@code rows}
   */
  void predictBatch(double[][] rows, double[] out);

  /** Frees what the model holds outside the Java heap; nothing by default. Idempotent. */
  @Override
  default void close() {}
}
