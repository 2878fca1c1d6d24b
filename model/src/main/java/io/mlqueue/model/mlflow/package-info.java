/**
 * MLflow model directories in and out: an {@code MLmodel} file (YAML) with an {@code onnx} or an
 * ONNX-backed {@code python_function} flavor is registered as an ONNX version, its signature naming
 * the features and the target; a linear or ONNX registry version is written back out as such a
 * directory, with its signature and an input example. Format notes in {@code docs/MODEL_FORMAT.md}.
 */
package io.mlqueue.model.mlflow;
