package io.mlqueue.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Reads and writes the JSON model artifact described in {@code docs/MODEL_FORMAT.md}. Reading
 * validates everything and throws {@link ModelFormatException} naming the file and the problem;
 * writing replaces the target file atomically, so a reader never sees half an artifact.
 */
public final class ModelArtifact {

  /** Value of the {@code format} field. */
  public static final String FORMAT = "mlqueue-model";

  /** The format version this code writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** Value of the {@code type} field for a {@link LinearModel}. */
  public static final String TYPE_LINEAR = "linear";

  private static final ObjectMapper JSON = StrictJson.MAPPER;

  private ModelArtifact() {}

  /**
   * Writes {@code model} to {@code file}, creating parent directories: a temporary file next to it
   * is written and flushed to disk, then moved over {@code file}.
   */
  public static void write(LinearModel model, Path file) throws IOException {
    AtomicFiles.write(file, toJson(model));
  }

  /**
   * Reads and validates an artifact.
   *
   * @throws ModelFormatException if the file is not a valid artifact, with the file in the message
   * @throws IOException if the file cannot be read
   */
  public static LinearModel read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "model artifact not found");
    } catch (CharacterCodingException e) {
      throw new ModelFormatException("model artifact " + file + " is not UTF-8 text", e);
    }
    return fromJson(file.toString(), text);
  }

  /** The artifact's JSON text. */
  public static String toJson(LinearModel model) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("formatVersion", FORMAT_VERSION);
    root.put("type", TYPE_LINEAR);
    root.put("name", model.name());
    root.put("version", model.version());
    root.put("target", model.targetName());
    ArrayNode features = root.putArray("features");
    model.featureNames().forEach(features::add);
    root.put("intercept", model.intercept());
    ArrayNode coefficients = root.putArray("coefficients");
    for (double c : model.coefficients()) {
      coefficients.add(c);
    }
    model.provenance().ifPresent(p -> writeProvenance(root.putObject("provenance"), p));
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot serialise model " + model.id(), e);
    }
  }

  private static void writeProvenance(ObjectNode node, TrainingProvenance p) {
    node.put("data", p.data());
    node.put("rows", p.rows());
    node.put("dataSha256", p.dataSha256());
    node.put("trainer", p.trainer());
    node.put("trainedAt", p.trainedAt().toString());
    ObjectNode m = node.putObject("inSample");
    m.put("r2", p.inSample().r2());
    m.put("mae", p.inSample().mae());
    m.put("rmse", p.inSample().rmse());
  }

  /**
   * Parses and validates an artifact's JSON text.
   *
   * @param source where the text came from, for messages
   * @throws ModelFormatException if the text is not a valid artifact
   */
  public static LinearModel fromJson(String source, String json) {
    ArtifactFields f = new ArtifactFields(source, parse(source, json));
    String format = f.text(f.root(), "format");
    if (!format.equals(FORMAT)) {
      throw f.error(
          "is not a model artifact: format is '" + format + "', expected '" + FORMAT + "'");
    }
    int formatVersion = f.integer(f.root(), "formatVersion");
    if (formatVersion != FORMAT_VERSION) {
      throw f.error(
          "has formatVersion %d; this build reads only version %d%s"
              .formatted(
                  formatVersion,
                  FORMAT_VERSION,
                  formatVersion > FORMAT_VERSION ? " (upgrade mlqueue)" : ""));
    }
    String type = f.text(f.root(), "type");
    if (!type.equals(TYPE_LINEAR)) {
      throw f.error("has model type '" + type + "'; this build knows only '" + TYPE_LINEAR + "'");
    }
    List<String> features = f.texts(f.root(), "features");
    double[] coefficients = f.numbers(f.root(), "coefficients");
    if (features.size() != coefficients.length) {
      throw f.error(
          "lists %d features but %d coefficients; they must pair up one to one"
              .formatted(features.size(), coefficients.length));
    }
    double intercept = f.number(f.root(), "intercept");
    TrainingProvenance provenance = f.root().has("provenance") ? provenance(f) : null;
    try {
      return new LinearModel(
          f.text(f.root(), "name"),
          f.text(f.root(), "version"),
          features,
          f.text(f.root(), "target"),
          intercept,
          coefficients,
          provenance);
    } catch (ModelFormatException e) {
      throw e; // already names the artifact and the field
    } catch (IllegalArgumentException e) {
      throw f.error(e.getMessage(), e);
    }
  }

  private static TrainingProvenance provenance(ArtifactFields f) {
    JsonNode p = f.object(f.root(), "provenance");
    JsonNode m = f.object(p, "provenance.inSample");
    JsonNode sha = p.get("dataSha256");
    String trainedAt = f.text(p, "provenance.trainedAt");
    try {
      return new TrainingProvenance(
          f.text(p, "provenance.data"),
          f.integer(p, "provenance.rows"),
          sha == null || sha.isNull() ? null : f.text(p, "provenance.dataSha256"),
          f.text(p, "provenance.trainer"),
          Instant.parse(trainedAt),
          new FitMetrics(
              f.number(m, "provenance.inSample.r2"),
              f.number(m, "provenance.inSample.mae"),
              f.number(m, "provenance.inSample.rmse")));
    } catch (DateTimeParseException e) {
      throw f.error(
          "provenance.trainedAt '%s' is not an ISO-8601 instant such as 2026-11-29T03:15:00Z"
              .formatted(trainedAt),
          e);
    } catch (ModelFormatException e) {
      throw e; // already names the artifact and the field
    } catch (IllegalArgumentException e) {
      throw f.error("provenance: " + e.getMessage(), e);
    }
  }

  private static JsonNode parse(String source, String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new ModelFormatException(
          "model artifact " + source + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelFormatException("model artifact " + source + " is not a JSON object");
    }
    return root;
  }
}
