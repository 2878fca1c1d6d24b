package io.mlqueue.model.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.model.CrossValidation;
import io.mlqueue.model.FitMetrics;
import io.mlqueue.model.TrainingRun;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A registered version's {@code run.json}: the {@link TrainingRun} that made it, under the name and
 * version it was registered as. Format in {@code docs/MODEL_FORMAT.md}.
 *
 * @param name the model name
 * @param version the registry version
 * @param run the training run
 */
public record RunRecord(String name, int version, TrainingRun run) {

  /** Value of the {@code format} field. */
  public static final String FORMAT = "mlqueue-run";

  static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** The JSON text of {@code run.json}. */
  String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("formatVersion", FORMAT_VERSION);
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
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot serialise the run of " + name + ":" + version, e);
    }
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
    if (r.node(root, "formatVersion").asInt() != FORMAT_VERSION) {
      throw r.error("has a formatVersion this build does not read");
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
