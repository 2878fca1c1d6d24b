package io.mlqueue.model.mlflow;

import io.mlqueue.model.ModelFormatException;

/**
 * An MLflow model directory mlqueue cannot serve, with why and what would work: the message starts
 * with "MLflow model DIR".
 */
public final class MlflowFormatException extends ModelFormatException {
  private static final long serialVersionUID = 1L;

  MlflowFormatException(String dir, String why) {
    super("MLflow model " + dir + ": " + why);
  }

  MlflowFormatException(String dir, String why, Throwable cause) {
    super("MLflow model " + dir + ": " + why, cause);
  }
}
