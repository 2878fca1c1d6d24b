package io.mlqueue.model;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.training.Algorithm;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The {@code train} use case: CSV in, model and run record out, with any of the algorithms of
 * {@link Algorithm}. The model's version is the UTC training time to the second plus the first 8
 * hex digits of the data file's SHA-256, e.g. {@code 20261129T031500Z-3f9a1c2b}: it sorts by time,
 * tells at a glance whether two models saw the same data, and two runs share a version only if they
 * fit the same bytes in the same second (and so hold the same coefficients).
 */
public final class Training {

  private static final DateTimeFormatter VERSION_TIME =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private Training() {}

  /**
   * A fitted model and the record of its run.
   *
   * @param model the model, versioned from the time and the data as {@code train} names it: a
   *     {@link LinearModel} or a {@link io.mlqueue.model.tribuo.TribuoModel}
   * @param run what went in and how well it did
   */
  public record Fit(ServableModel model, TrainingRun run) {
    /** The file format the model is stored in. */
    public ModelFormat format() {
      return ModelFormat.of(model);
    }
  }

  /**
   * Loads {@code data}, fits OLS for column {@code target} on every other column, writes the
   * artifact to {@code out} and returns the model, its in-sample metrics in its provenance.
   *
   * @throws IllegalArgumentException in plain words when the data is unusable
   * @throws IOException when the data cannot be read or the artifact written
   */
  public static LinearModel train(Path data, String target, Path out, String name)
      throws IOException {
    return train(data, target, out, name, Clock.systemUTC());
  }

  /** {@link #train(Path, String, Path, String)} with a given clock, for tests. */
  public static LinearModel train(Path data, String target, Path out, String name, Clock clock)
      throws IOException {
    LinearModel model =
        (LinearModel) fit(data, target, name, new Algorithm.Ols(), clock, false).model();
    ModelArtifact.write(model, out);
    return model;
  }

  /**
   * Loads {@code data}, fits OLS for column {@code target} on every other column and
   * cross-validates it with {@link CrossValidation#DEFAULT_FOLDS} contiguous folds; writes nothing.
   * Data too small or too degenerate to cross-validate still gives a model; the run then says why
   * it has no cross-validation.
   *
   * @throws IllegalArgumentException in plain words when the data is unusable
   * @throws IOException when the data cannot be read
   */
  public static Fit fit(Path data, String target, String name, Clock clock) throws IOException {
    return fit(data, target, name, new Algorithm.Ols(), clock, true);
  }

  /**
   * Loads {@code data}, fits {@code algorithm} for column {@code target} on every other column and
   * cross-validates it as {@link #fit(Path, String, String, Clock)} does; writes nothing.
   *
   * @throws IllegalArgumentException in plain words when the data is unusable
   * @throws IOException when the data cannot be read
   */
  public static Fit fit(Path data, String target, String name, Algorithm algorithm, Clock clock)
      throws IOException {
    return fit(data, target, name, algorithm, clock, true);
  }

  private static Fit fit(
      Path data, String target, String name, Algorithm algorithm, Clock clock, boolean validate)
      throws IOException {
    Instant started = clock.instant();
    String sha = FileDigest.sha256(data);
    Dataset dataset = Dataset.load(data, target);
    // The file is read twice (hash, parse); a writer in between would make the hash a lie.
    if (!sha.equals(FileDigest.sha256(data))) {
      throw new IllegalArgumentException(data + " changed while it was being read; try again");
    }
    // One instant for the version and the provenance's trainedAt, so the two agree.
    Instant now = clock.instant();
    String version = VERSION_TIME.format(now) + "-" + sha.substring(0, 8);
    // The file name, not the path: a path means nothing on the machine that serves the model.
    String label = data.getFileName().toString();
    Clock fixed = Clock.fixed(now, ZoneOffset.UTC);
    ServableModel model = algorithm.fit(dataset, name, version, label, sha, fixed);
    // The single-feature OLS fit names its own trainer; every other fit names the algorithm's.
    String trainer =
        model instanceof LinearModel linear && linear.provenance().isPresent()
            ? linear.provenance().get().trainer()
            : algorithm.trainer();
    FitMetrics inSample = FitMetrics.evaluate(model, dataset);
    CrossValidation.Result cv = null;
    String skipped = null;
    if (validate) {
      // The fold models are thrown away; a fixed clock keeps their fits from reading the time.
      Clock epoch = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
      try {
        cv =
            CrossValidation.kFold(
                dataset,
                CrossValidation.DEFAULT_FOLDS,
                rows -> algorithm.fit(rows, "cv", "fold", label, sha, epoch));
      } catch (IllegalArgumentException e) {
        skipped = e.getMessage();
      }
    }
    Map<String, String> parameters = new TreeMap<>(algorithm.parameters());
    parameters.put("cross_validation_folds", String.valueOf(CrossValidation.DEFAULT_FOLDS));
    TrainingRun run =
        new TrainingRun(
            UUID.randomUUID().toString(),
            started,
            clock.instant(),
            algorithm.label(),
            trainer,
            parameters,
            label,
            dataset.size(),
            sha,
            dataset.targetName(),
            dataset.featureNames(),
            inSample,
            cv,
            validate ? skipped : "not asked for");
    return new Fit(model, run);
  }
}
