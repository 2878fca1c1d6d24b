package io.mlqueue.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One tracked run of {@code train}: what went in (data, target, trainer, parameters), when, and how
 * well the result did, in sample and cross-validated. The registry keeps it beside the model as
 * {@code run.json}; the model artifact itself only keeps the short {@link TrainingProvenance}.
 *
 * @param runId a random UUID naming the run
 * @param startedAt when the run began reading the data
 * @param endedAt when the fit and the cross-validation were done
 * @param algorithm what {@code train --algo} named: {@code ols}, {@code ridge}, {@code tree},
 *     {@code forest} or {@code gbt}
 * @param trainer what fitted the model, with its version
 * @param parameters the algorithm's settings and the run's (folds), by name
 * @param dataFile the training file's name (not its path)
 * @param rows training rows
 * @param dataSha256 lower-case hex SHA-256 of the training file's bytes
 * @param target the predicted column
 * @param features the input columns, in the model's order
 * @param inSample the model scored on its own training rows
 * @param crossValidation the K-fold estimate, or {@code null} when it could not be run
 * @param crossValidationSkipped why there is no cross-validation, or {@code null} when there is
 */
public record TrainingRun(
    String runId,
    Instant startedAt,
    Instant endedAt,
    String algorithm,
    String trainer,
    Map<String, String> parameters,
    String dataFile,
    int rows,
    String dataSha256,
    String target,
    List<String> features,
    FitMetrics inSample,
    CrossValidation.Result crossValidation,
    String crossValidationSkipped) {

  public TrainingRun {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(trainer, "trainer");
    parameters = Map.copyOf(parameters);
    Objects.requireNonNull(dataFile, "dataFile");
    Objects.requireNonNull(dataSha256, "dataSha256");
    Objects.requireNonNull(target, "target");
    features = List.copyOf(features);
    Objects.requireNonNull(inSample, "inSample");
    if ((crossValidation == null) == (crossValidationSkipped == null)) {
      throw new IllegalArgumentException(
          "a run has either a cross-validation or the reason it was skipped");
    }
    if (endedAt.isBefore(startedAt)) {
      throw new IllegalArgumentException(
          "run ended " + endedAt + " before it started " + startedAt);
    }
  }

  public Duration duration() {
    return Duration.between(startedAt, endedAt);
  }

  public Optional<CrossValidation.Result> crossValidated() {
    return Optional.ofNullable(crossValidation);
  }
}
