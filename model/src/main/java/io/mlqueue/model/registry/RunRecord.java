package io.mlqueue.model.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.model.CrossValidation;
import io.mlqueue.model.FitMetrics;
import io.mlqueue.model.TrainingRun;
import io.mlqueue.model.StrictJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A registered version's {@code run.json}: how the version came to be, under the name and version
 * it was registered as. Either the {@link TrainingRun} of {@code train --register} that fitted it,
 * or the {@link Import} of {@code models add} that copied a model made elsewhere (an ONNX file),
 * which was not trained here and has no metrics. Format in {@code docs/MODEL_FORMAT.md}.
 *
 * @param name the model name
 * @param version the registry version
 * @param run the training run, or {@code null} for an imported model
 * @param imported the import, or {@code null} for a trained model
 */
public record RunRecord(String name, int version, TrainingRun run, Import imported) {

  /** Value of the {@code format} field. */
  public static final String FORMAT = "mlqueue-run";

  /** Written for trained versions: what every build with a registry reads. */
  static final int FORMAT_VERSION = 1;

  private static final String KIND_TRAINED = "trained";
  private static final String KIND_IMPORTED = "imported";

  /**
   * Written for imported versions: a build that knows only trained runs refuses the record with
   * "a formatVersion this build does not read" instead of a missing field.
   */
  static final int IMPORTED_FORMAT_VERSION = 2;

  /**
   * A model registered from a file rather than trained here.
   *
   * @param modelFormat the file's kind: {@code onnx}
   * @param importedAt when it was registered
   * @param sourceFile the file's name (not its path)
   * @param sha256 lower-case hex SHA-256 of the file's bytes (the stored copy has the same)
   * @param bytes the file's size
   * @param declaredName the name the file gives itself (metadata, else from the file name)
   * @param declaredVersion the version the file gives itself; the registry serves its own number
   * @param target the predicted column, as the file names it
   * @param features the input columns, in the model's order, as the file names them
   */
  public record Import(
      String modelFormat,
      Instant importedAt,
      String sourceFile,
      String sha256,
      long bytes,
      String declaredName,
      String declaredVersion,
      String target,
      List<String> features) {
    public Import {
      Objects.requireNonNull(modelFormat, "modelFormat");
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
  }

  public RunRecord {
    Objects.requireNonNull(name, "name");
    if ((run == null) == (imported == null)) {
      throw new IllegalArgumentException("a version is either trained here or imported");
    }
  }

  /** A version fitted by {@code train --register}. */
  public RunRecord(String name, int version, TrainingRun run) {
    this(name, version, Objects.requireNonNull(run, "run"), null);
  }

  /** A version registered from a file by {@code models add}. */
  public static RunRecord imported(String name, int version, Import imported) {
    return new RunRecord(name, version, null, Objects.requireNonNull(imported, "imported"));
  }

  /** Whether the version was imported rather than trained (and so has no training metrics). */
  public boolean isImported() {
    return imported != null;
  }

  /** The training run, unless the version was imported. */
  public Optional<TrainingRun> trained() {
    return Optional.ofNullable(run);
  }

  /** The import, unless the version was trained here. */
  public Optional<Import> importedFrom() {
    return Optional.ofNullable(imported);
  }

  /** When the version was made: its training run's end, or its import. */
  public Instant createdAt() {
    return run != null ? run.endedAt() : imported.importedAt();
  }

  /** The predicted column. */
  public String target() {
    return run != null ? run.target() : imported.target();
  }

  /** The input columns, in the model's order. */
  public List<String> features() {
    return run != null ? run.features() : imported.features();
  }

  private static final ObjectMapper JSON = StrictJson.MAPPER;

  /** The JSON text of {@code run.json}. */
  String toJson() {
    ObjectNode root = run != null ? trainedJson() : importedJson();
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot serialise the run of " + name + ":" + version, e);
    }
  }

  private ObjectNode importedJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("formatVersion", IMPORTED_FORMAT_VERSION);
    root.put("kind", KIND_IMPORTED);
    root.put("model", name);
    root.put("version", version);
    root.put("importedAt", imported.importedAt().toString());
    root.put("modelFormat", imported.modelFormat());
    ObjectNode source = root.putObject("source");
    source.put("file", imported.sourceFile());
    source.put("sha256", imported.sha256());
    source.put("bytes", imported.bytes());
    source.put("name", imported.declaredName());
    source.put("version", imported.declaredVersion());
    root.put("target", imported.target());
    imported.features().forEach(root.putArray("features")::add);
    return root;
  }

  private ObjectNode trainedJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("formatVersion", FORMAT_VERSION);
    root.put("kind", KIND_TRAINED);
    root.put("runId", run.runId());
    root.put("model", name);
    root.put("version", version);
    root.put("startedAt", run.startedAt().toString());
    root.put("endedAt", run.endedAt().toString());
    root.put("durationMillis", run.duration().toMillis());
    root.put("trainer", run.trainer());
    ObjectNode parameters = root.putObject("parameters");
    new TreeMap<>(run.parameters()).forEach(parameters::put);
    ObjectNode data = root.putObject("data");
    data.put("file", run.dataFile());
    data.put("rows", run.rows());
    data.put("sha256", run.dataSha256());
    root.put("target", run.target());
    run.features().forEach(root.putArray("features")::add);
    ObjectNode metrics = root.putObject("metrics");
    put(metrics.putObject("inSample"), run.inSample());
    if (run.crossValidation() == null) {
      metrics.putNull("crossValidation");
      root.put("crossValidationSkipped", run.crossValidationSkipped());
    } else {
      ObjectNode cv = metrics.putObject("crossValidation");
      cv.put("splitter", run.crossValidation().splitter());
      put(cv.putObject("mean"), run.crossValidation().mean());
      for (CrossValidation.Fold fold : run.crossValidation().folds()) {
        ObjectNode f = cv.withArray("folds").addObject();
        f.put("testRows", fold.testRows());
        put(f, fold.metrics());
      }
    }
    return root;
  }

  private static void put(ObjectNode node, FitMetrics m) {
    node.put("r2", m.r2());
    node.put("mae", m.mae());
    node.put("rmse", m.rmse());
  }

  /**
   * Parses {@code run.json}.
   *
   * @param source the file, for messages
   * @throws RegistryException naming the file and the problem when the text is not a run record
   */
  static RunRecord fromJson(String source, String text) {
    Reader r = new Reader(source);
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JacksonException e) {
      throw r.error("is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw r.error("is not a JSON object");
    }
    if (!FORMAT.equals(r.text(root, "format"))) {
      throw r.error("is not a run record: format is not '" + FORMAT + "'");
    }
    int formatVersion = r.node(root, "formatVersion").asInt();
    if (formatVersion == IMPORTED_FORMAT_VERSION) {
      if (!KIND_IMPORTED.equals(r.text(root, "kind"))) {
        throw r.error("has formatVersion 2 but kind is not '" + KIND_IMPORTED + "'");
      }
      return importedFromJson(r, root);
    }
    if (formatVersion != FORMAT_VERSION) {
      throw r.error("has a formatVersion this build does not read");
    }
    // Records written before imports existed have no kind: they are all trained runs.
    if (root.has("kind") && !KIND_TRAINED.equals(r.text(root, "kind"))) {
      throw r.error("has formatVersion 1 but kind is not '" + KIND_TRAINED + "'");
    }
    JsonNode data = r.node(root, "data");
    JsonNode metrics = r.node(root, "metrics");
    CrossValidation.Result cv = null;
    JsonNode cvNode = r.node(metrics, "crossValidation");
    if (!cvNode.isNull()) {
      List<CrossValidation.Fold> folds = new ArrayList<>();
      for (JsonNode f : r.node(cvNode, "folds")) {
        folds.add(new CrossValidation.Fold(r.node(f, "testRows").asInt(), r.metrics(f)));
      }
      cv = new CrossValidation.Result(
          r.text(cvNode, "splitter"), folds, r.metrics(r.node(cvNode, "mean")));
    }
    Map<String, String> parameters = new TreeMap<>();
    r.node(root, "parameters").fields().forEachRemaining(e -> parameters.put(e.getKey(), e.getValue().asText()));
    List<String> features = new ArrayList<>();
    r.node(root, "features").forEach(f -> features.add(f.asText()));
    try {
      TrainingRun run =
          new TrainingRun(
              r.text(root, "runId"),
              Instant.parse(r.text(root, "startedAt")),
              Instant.parse(r.text(root, "endedAt")),
              r.text(root, "trainer"),
              parameters,
              r.text(data, "file"),
              r.node(data, "rows").asInt(),
              r.text(data, "sha256"),
              r.text(root, "target"),
              features,
              r.metrics(r.node(metrics, "inSample")),
              cv,
              cv == null ? r.text(root, "crossValidationSkipped") : null);
      return new RunRecord(r.text(root, "model"), r.node(root, "version").asInt(), run);
    } catch (RuntimeException e) {
      throw r.error("is not a valid run record: " + e.getMessage());
    }
  }

  private static RunRecord importedFromJson(Reader r, JsonNode root) {
    JsonNode source = r.node(root, "source");
    List<String> features = new ArrayList<>();
    r.node(root, "features").forEach(f -> features.add(f.asText()));
    try {
      Import imported =
          new Import(
              r.text(root, "modelFormat"),
              Instant.parse(r.text(root, "importedAt")),
              r.text(source, "file"),
              r.text(source, "sha256"),
              r.node(source, "bytes").asLong(),
              r.text(source, "name"),
              r.text(source, "version"),
              r.text(root, "target"),
              features);
      return imported(r.text(root, "model"), r.node(root, "version").asInt(), imported);
    } catch (RuntimeException e) {
      throw r.error("is not a valid import record: " + e.getMessage());
    }
  }

  /** Field access that names the file and the field when one is missing. */
  private record Reader(String source) {
    JsonNode node(JsonNode parent, String field) {
      JsonNode n = parent.get(field);
      if (n == null) {
        throw error("lacks field '" + field + "'");
      }
      return n;
    }

    String text(JsonNode parent, String field) {
      JsonNode n = node(parent, field);
      if (!n.isTextual()) {
        throw error("field '" + field + "' is not a string");
      }
      return n.asText();
    }

    FitMetrics metrics(JsonNode n) {
      return new FitMetrics(
          node(n, "r2").asDouble(), node(n, "mae").asDouble(), node(n, "rmse").asDouble());
    }

    RegistryException error(String problem) {
      return new RegistryException("run record " + source + " " + problem);
    }
  }
}
