package io.mlqueue.model;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a model came from: enough to tell two models apart and to re-run the training.
 *
 * @param data name of the training data: the file name when trained from a file (not its full path,
 *     which means nothing on another machine), the data set's name otherwise
 * @param rows number of training rows
 * @param dataSha256 lower-case hex SHA-256 of the data file's bytes, or {@code null} when the data
 *     did not come from a file (the built-in data set)
 * @param trainer what fitted the model, with its version
 * @param trainedAt when the fit finished
 * @param inSample the fit's metrics on its own training rows
 */
public record TrainingProvenance(
    String data,
    int rows,
    String dataSha256,
    String trainer,
    Instant trainedAt,
    FitMetrics inSample) {

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  public TrainingProvenance {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(trainer, "trainer");
    Objects.requireNonNull(trainedAt, "trainedAt");
    Objects.requireNonNull(inSample, "inSample");
    if (rows <= 0) {
      throw new IllegalArgumentException("rows must be positive, got " + rows);
    }
    if (dataSha256 != null && !SHA256_HEX.matcher(dataSha256).matches()) {
      throw new IllegalArgumentException(
          "dataSha256 must be 64 lower-case hex digits, got '" + dataSha256 + "'");
    }
    if (!Double.isFinite(inSample.r2())
        || !Double.isFinite(inSample.mae())
        || !Double.isFinite(inSample.rmse())) {
      throw new IllegalArgumentException("in-sample metrics must be finite numbers: " + inSample);
    }
  }
}
