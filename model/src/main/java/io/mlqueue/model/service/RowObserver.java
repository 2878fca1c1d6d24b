package io.mlqueue.model.service;

import io.mlqueue.model.ServableModel;

/**
 * Sees every row the worker predicted on the stream, once per message (a bulk message's rows
 * together), after the predictions and before the publish. Called on the consumer's thread: an
 * implementation must be cheap and must not throw (drift monitoring hands the work to a thread of
 * its own).
 */
@FunctionalInterface
public interface RowObserver {
  /** Sees nothing. */
  RowObserver NONE = (model, rows, predictions) -> {};

  /**
   * @param model the model that predicted
   * @param rows the feature vectors, in the model's order; not to be kept (copy what is needed)
   * @param predictions the predictions, one per row
   */
  void observe(ServableModel model, double[][] rows, double[] predictions);
}
