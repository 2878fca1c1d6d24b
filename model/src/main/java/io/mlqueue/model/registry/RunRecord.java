package io.mlqueue.model.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.model.CrossValidation;
import io.mlqueue.model.FitMetrics;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.Training;
import io.mlqueue.model.TrainingRun;
import io.mlqueue.model.format.ModelFormat;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A registered version's {@code run.json}: how the version came to be, under the name and version
 * it was registered as, in which {@link ModelFormat} its model is stored, and its {@link Source}:
 * either {@link Trained} here by {@code train --register} (the {@link TrainingRun}), or an {@link
 * Import} by {@code models add} of a model made elsewhere (an ONNX file or an MLflow model
 * directory), which was not trained here and has no metrics. Format in {@code
 * docs/MODEL_FORMAT.md}.
 *
 * @param name the model name
 * @param version the registry version
 * @param format how the version's model is stored, and so how it is loaded
 * @param source where it came from
 */
public record RunRecord(String name, int version, ModelFormat format, Source source) {

  /** Value of the {@code format} field. */
  public static final String FORMAT = "mlqueue-run";

  /** What this build writes: every record says its kind and model format. */
  static final int FORMAT_VERSION = 3;

  /** Trained linear versions before version 3 (no kind, or kind trained). Still read. */
  static final int TRAINED_V1 = 1;

  /** Imported ONNX versions before version 3. Still read. */
  static final int IMPORTED_V2 = 2;

  private static final String KIND_TRAINED = "trained";
  private static final String KIND_IMPORTED = "imported";

  /** Where a version came from: trained here, or imported. */
  public sealed interface Source permits Trained, Import {}

  /** A version fitted by {@code train --register}. */
  public record Trained(TrainingRun run) implements Source {
    public Trained {
      Objects.requireNonNull(run, "run");
    }
  }

  /**
   * A model registered from elsewhere rather than trained here.
   *
   * @param importedAt when it was registered
   * @param sourceFile the model file's name (not its path)
   * @param sha256 lower-case hex SHA-256 of the file's bytes (the stored copy has the same)
   * @param bytes the file's size
   * @param declaredName the name the file gives itself (metadata, else from the file name)
   * @param declaredVersion the version the file gives itself; the registry serves its own number
   * @param target the predicted column
   * @param features the input columns, in the model's order
   * @param mlflow what the MLflow model directory said, or {@code null} for a bare file
   */
  public record Import(
      Instant importedAt,
      String sourceFile,
      String sha256,
      long bytes,
      String declaredName,
      String declaredVersion,
      String target,
      List<String> features,
      MlflowOrigin mlflow)
      implements Source {
    public Import {
      Objects.requireNonNull(importedAt, "importedAt");
      Objects.requireNonNull(sourceFile, "sourceFile");
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(declaredName, "declaredName");
      Objects.requireNonNull(declaredVersion, "declaredVersion");
      Objects.requireNonNull(target, "target");
      features = List.copyOf(features);
      if (bytes < 0) {
        throw new IllegalArgumentException("a file of " + bytes + " bytes");
      }
    }

    /** The MLflow model directory it came from, unless it was a bare file. */
    public Optional<MlflowOrigin> fromMlflow() {
      return Optional.ofNullable(mlflow);
    }
  }

  /**
   * The identity an MLflow model directory gave its model ({@code MLmodel}'s fields), kept so the
   * version can be traced back to the MLflow run. Fields MLmodel did not have are {@code null}.
   *
   * @param runId {@code run_id}: the MLflow run that logged the model
   * @param modelUuid {@code model_uuid}
   * @param flavor the flavor the ONNX file was taken from: {@code onnx} or {@code python_function}
   * @param artifactPath {@code artifact_path}
   * @param mlflowVersion {@code mlflow_version}
   * @param createdAt {@code utc_time_created}, as MLflow wrote it
   */
  public record MlflowOrigin(
      String runId,
      String modelUuid,
      String flavor,
      String artifactPath,
      String mlflowVersion,
      String createdAt) {
    public MlflowOrigin {
      Objects.requireNonNull(flavor, "flavor");
    }
  }

  public RunRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(source, "source");
  }

  /** Version {@code version} of {@code name} as {@code train --register} fitted it. */
  public static RunRecord trained(String name, int version, Training.Fit fit) {
    return new RunRecord(name, version, fit.format(), new Trained(fit.run()));
  }

  /** Version {@code version} of {@code name} as {@code models add} registered it. */
  public static RunRecord imported(String name, int version, ModelFormat format, Import imported) {
    return new RunRecord(name, version, format, imported);
  }

  /** Whether the version was imported rather than trained (and so has no training metrics). */
  public boolean isImported() {
    return source instanceof Import;
  }

  /** The training run, unless the version was imported. */
  public Optional<TrainingRun> trained() {
    return source instanceof Trained t ? Optional.of(t.run()) : Optional.empty();
  }

  /** The import, unless the version was trained here. */
  public Optional<Import> importedFrom() {
    return source instanceof Import i ? Optional.of(i) : Optional.empty();
  }

  /** When the version was made: its training run's end, or its import. */
  public Instant createdAt() {
    return switch (source) {
      case Trained t -> t.run().endedAt();
      case Import i -> i.importedAt();
    };
  }

  /** The predicted column. */
  public String target() {
    return switch (source) {
      case Trained t -> t.run().target();
      case Import i -> i.target();
    };
  }

  /** The input columns, in the model's order. */
  public List<String> features() {
    return switch (source) {
      case Trained t -> t.run().features();
      case Import i -> i.features();
    };
  }

  /** {@code NAME:VERSION}. */
  public String id() {
    return name + ":" + version;
  }

  private static final ObjectMapper JSON = StrictJson.MAPPER;

  /** The JSON text of {@code run.json}. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(toTree()) + "\n";
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot serialise the run of " + id(), e);
    }
  }

  /** {@code run.json} as a JSON tree, as {@code runs --json} prints it. */
  public ObjectNode toTree() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("formatVersion", FORMAT_VERSION);
    root.put("kind", source instanceof Trained ? KIND_TRAINED : KIND_IMPORTED);
    root.put("model", name);
    root.put("version", version);
    root.put("modelFormat", format.label());
    root.put("target", target());
    features().forEach(root.putArray("features")::add);
    switch (source) {
      case Trained t -> writeTrained(root, t.run());
      case Import i -> writeImported(root, i);
    }
    return root;
  }

  private static void writeImported(ObjectNode root, Import imported) {
    root.put("importedAt", imported.importedAt().toString());
    ObjectNode source = root.putObject("source");
    source.put("file", imported.sourceFile());
    source.put("sha256", imported.sha256());
    source.put("bytes", imported.bytes());
    source.put("name", imported.declaredName());
    source.put("version", imported.declaredVersion());
    imported
        .fromMlflow()
        .ifPresent(
            m -> {
              ObjectNode mlflow = source.putObject("mlflow");
              mlflow.put("runId", m.runId());
              mlflow.put("modelUuid", m.modelUuid());
              mlflow.put("flavor", m.flavor());
              mlflow.put("artifactPath", m.artifactPath());
              mlflow.put("mlflowVersion", m.mlflowVersion());
              mlflow.put("utcTimeCreated", m.createdAt());
            });
  }

  private static void writeTrained(ObjectNode root, TrainingRun run) {
    root.put("runId", run.runId());
    root.put("startedAt", run.startedAt().toString());
    root.put("endedAt", run.endedAt().toString());
    root.put("durationMillis", run.duration().toMillis());
    root.put("algorithm", run.algorithm());
    root.put("trainer", run.trainer());
    ObjectNode parameters = root.putObject("parameters");
    new TreeMap<>(run.parameters()).forEach(parameters::put);
    ObjectNode data = root.putObject("data");
    data.put("file", run.dataFile());
    data.put("rows", run.rows());
    data.put("sha256", run.dataSha256());
    ObjectNode metrics = root.putObject("metrics");
    put(metrics.putObject("inSample"), run.inSample());
    if (run.crossValidation() == null) {
      metrics.putNull("crossValidation");
      root.put("crossValidationSkipped", run.crossValidationSkipped());
    } else {
      metrics.set("crossValidation", crossValidationJson(run.crossValidation()));
    }
  }

  /** A cross-validation result as {@code run.json} and {@code train --metrics} write it. */
  public static ObjectNode crossValidationJson(CrossValidation.Result result) {
    ObjectNode cv = JSON.createObjectNode();
    cv.put("splitter", result.splitter());
    put(cv.putObject("mean"), result.mean());
    for (CrossValidation.Fold fold : result.folds()) {
      ObjectNode f = cv.withArray("folds").addObject();
      f.put("testRows", fold.testRows());
      put(f, fold.metrics());
    }
    return cv;
  }

  private static void put(ObjectNode node, FitMetrics m) {
    node.put("r2", m.r2());
    node.put("mae", m.mae());
    node.put("rmse", m.rmse());
  }

  /**
   * Parses {@code run.json}: this build's records and those of earlier builds (format versions 1
   * and 2).
   *
   * @param source the file, for messages
   * @throws RegistryException naming the file, the field and the value when the text is not a run
   *     record, with the parser's error as its cause
   */
  public static RunRecord fromJson(String source, String text) {
    return RunRecordReader.read(source, text);
  }
}
