package io.mlqueue.model.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.model.CrossValidation;
import io.mlqueue.model.FitMetrics;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.TrainingRun;
import io.mlqueue.model.format.ModelFormat;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code run.json} strictly: each field must have its type, a number that is not one is
 * refused by name (never read as 0), and every refusal names the file, the field and the value, and
 * keeps the parser's error as its cause. Reads format versions 1 (trained, linear), 2 (imported
 * ONNX) and 3 (either, with its kind and model format).
 */
final class RunRecordReader {
  private final String source;

  private RunRecordReader(String source) {
    this.source = source;
  }

  static RunRecord read(String source, String text) {
    RunRecordReader r = new RunRecordReader(source);
    JsonNode root;
    try {
      root = StrictJson.MAPPER.readTree(text);
    } catch (JacksonException e) {
      throw r.error("is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw r.error("is not a JSON object", null);
    }
    if (!RunRecord.FORMAT.equals(r.text(root, "format"))) {
      throw r.error("is not a run record: format is not '" + RunRecord.FORMAT + "'", null);
    }
    int formatVersion = r.whole(root, "formatVersion");
    String name = r.text(root, "model");
    int version = r.whole(root, "version");
    try {
      return switch (formatVersion) {
        case RunRecord.TRAINED_V1 -> {
          // Records written before imports existed have no kind: they are all trained OLS runs.
          if (root.has("kind") && !"trained".equals(r.text(root, "kind"))) {
            throw r.error("has formatVersion 1 but kind is not 'trained'", null);
          }
          yield new RunRecord(
              name, version, ModelFormat.LINEAR, new RunRecord.Trained(r.trainedRun(root, "ols")));
        }
        case RunRecord.IMPORTED_V2 -> {
          if (!"imported".equals(r.text(root, "kind"))) {
            throw r.error("has formatVersion 2 but kind is not 'imported'", null);
          }
          yield new RunRecord(name, version, r.format(root), r.imported(root));
        }
        case RunRecord.FORMAT_VERSION -> {
          String kind = r.text(root, "kind");
          RunRecord.Source from =
              switch (kind) {
                case "trained" -> new RunRecord.Trained(r.trainedRun(root, null));
                case "imported" -> r.imported(root);
                default ->
                    throw r.error(
                        "has kind '" + kind + "'; this build knows 'trained' and 'imported'", null);
              };
          yield new RunRecord(name, version, r.format(root), from);
        }
        default ->
            throw r.error(
                "has formatVersion %d, which this build does not read%s"
                    .formatted(
                        formatVersion,
                        formatVersion > RunRecord.FORMAT_VERSION ? " (upgrade mlqueue)" : ""),
                null);
      };
    } catch (RegistryException e) {
      throw e;
    } catch (RuntimeException e) {
      throw r.error("is not a valid run record: " + e.getMessage(), e);
    }
  }

  private ModelFormat format(JsonNode root) {
    String label = text(root, "modelFormat");
    try {
      return ModelFormat.ofLabel(label);
    } catch (IllegalArgumentException e) {
      throw error("field 'modelFormat': " + e.getMessage(), e);
    }
  }

  /** A trained run; {@code algorithm} for records older than the field, else null to read it. */
  private TrainingRun trainedRun(JsonNode root, String algorithm) {
    JsonNode data = object(root, "data");
    JsonNode metrics = object(root, "metrics");
    CrossValidation.Result cv = null;
    JsonNode cvNode = node(metrics, "crossValidation");
    if (!cvNode.isNull()) {
      List<CrossValidation.Fold> folds = new ArrayList<>();
      JsonNode foldNodes = node(cvNode, "folds");
      if (!foldNodes.isArray()) {
        throw error("field 'folds' must be an array, got " + show(foldNodes), null);
      }
      for (JsonNode f : foldNodes) {
        folds.add(new CrossValidation.Fold(whole(f, "testRows"), metrics(f)));
      }
      cv =
          new CrossValidation.Result(
              text(cvNode, "splitter"), folds, metrics(object(cvNode, "mean")));
    }
    Map<String, String> parameters = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : object(root, "parameters").properties()) {
      if (!e.getValue().isTextual()) {
        throw error(
            "parameter '%s' must be a string, got %s".formatted(e.getKey(), show(e.getValue())),
            null);
      }
      parameters.put(e.getKey(), e.getValue().textValue());
    }
    return new TrainingRun(
        text(root, "runId"),
        instant(root, "startedAt"),
        instant(root, "endedAt"),
        algorithm != null ? algorithm : text(root, "algorithm"),
        text(root, "trainer"),
        parameters,
        text(data, "file"),
        whole(data, "rows"),
        text(data, "sha256"),
        text(root, "target"),
        texts(root, "features"),
        metrics(object(metrics, "inSample")),
        cv,
        cv == null ? text(root, "crossValidationSkipped") : null);
  }

  private RunRecord.Import imported(JsonNode root) {
    JsonNode source = object(root, "source");
    RunRecord.MlflowOrigin mlflow = null;
    if (source.has("mlflow")) {
      JsonNode m = object(source, "mlflow");
      mlflow =
          new RunRecord.MlflowOrigin(
              optionalText(m, "runId"),
              optionalText(m, "modelUuid"),
              text(m, "flavor"),
              optionalText(m, "artifactPath"),
              optionalText(m, "mlflowVersion"),
              optionalText(m, "utcTimeCreated"));
    }
    JsonNode bytes = node(source, "bytes");
    if (!bytes.isIntegralNumber() || !bytes.canConvertToLong()) {
      throw error("field 'bytes' must be a whole number, got " + show(bytes), null);
    }
    return new RunRecord.Import(
        instant(root, "importedAt"),
        text(source, "file"),
        text(source, "sha256"),
        bytes.longValue(),
        text(source, "name"),
        text(source, "version"),
        text(root, "target"),
        texts(root, "features"),
        mlflow);
  }

  private JsonNode node(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null) {
      throw error("lacks field '" + field + "'", null);
    }
    return n;
  }

  private JsonNode object(JsonNode parent, String field) {
    JsonNode n = node(parent, field);
    if (!n.isObject()) {
      throw error("field '" + field + "' must be an object, got " + show(n), null);
    }
    return n;
  }

  private String text(JsonNode parent, String field) {
    JsonNode n = node(parent, field);
    if (!n.isTextual()) {
      throw error("field '" + field + "' must be a string, got " + show(n), null);
    }
    return n.textValue();
  }

  private String optionalText(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    return n == null || n.isNull() ? null : text(parent, field);
  }

  private int whole(JsonNode parent, String field) {
    JsonNode n = node(parent, field);
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw error("field '" + field + "' must be a whole number, got " + show(n), null);
    }
    return n.intValue();
  }

  private double number(JsonNode parent, String field) {
    JsonNode n = node(parent, field);
    if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
      throw error("field '" + field + "' must be a finite number, got " + show(n), null);
    }
    return n.doubleValue();
  }

  private Instant instant(JsonNode parent, String field) {
    String text = text(parent, field);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw error(
          "field '%s' is '%s', not an ISO-8601 instant such as 2026-11-29T03:15:00Z"
              .formatted(field, text),
          e);
    }
  }

  private List<String> texts(JsonNode parent, String field) {
    JsonNode n = node(parent, field);
    if (!n.isArray()) {
      throw error("field '" + field + "' must be an array of strings, got " + show(n), null);
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isTextual()) {
        throw error(field + "[" + i + "] must be a string, got " + show(n.get(i)), null);
      }
      out.add(n.get(i).textValue());
    }
    return out;
  }

  private FitMetrics metrics(JsonNode n) {
    return new FitMetrics(number(n, "r2"), number(n, "mae"), number(n, "rmse"));
  }

  private static String show(JsonNode v) {
    String s = v.toString();
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  RegistryException error(String problem, Throwable cause) {
    return new RegistryException("run record " + source + " " + problem, cause);
  }
}
