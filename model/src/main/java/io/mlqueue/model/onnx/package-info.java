/**
 * Serving models that users bring as ONNX files: loading one with ONNX Runtime, checking that its
 * graph is a regression over one row of features, and predicting single rows or batches.
 */
package io.mlqueue.model.onnx;
