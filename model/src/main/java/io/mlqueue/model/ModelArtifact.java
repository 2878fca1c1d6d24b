package io.mlqueue.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          // A hand-edited artifact with a key twice or junk after the object is rejected, not
          // silently half-read.
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private ModelArtifact() {}

  /**
   * Writes {@code model} to {@code file}, creating parent directories: a temporary file next to it
   * is written and flushed to disk, then moved over {@code file}.
   */
  public static void write(LinearModel model, Path file) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    ByteBuffer bytes = ByteBuffer.wrap(toJson(model).getBytes(StandardCharsets.UTF_8));
    // Not Files.createTempFile: its owner-only permissions would carry over to the artifact.
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel out =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        // On disk before the rename, or a crash could leave a renamed but empty file.
        out.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
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
    model.provenance().ifPresent(p -> {
      ObjectNode prov = root.putObject("provenance");
      prov.put("data", p.data());
      prov.put("rows", p.rows());
      prov.put("dataSha256", p.dataSha256());
      prov.put("trainer", p.trainer());
      prov.put("trainedAt", p.trainedAt().toString());
      ObjectNode m = prov.putObject("inSample");
      m.put("r2", p.inSample().r2());
      m.put("mae", p.inSample().mae());
      m.put("rmse", p.inSample().rmse());
    });
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot serialise model " + model.id(), e);
    }
  }

  /**
   * Parses and validates an artifact's JSON text.
   *
   * @param source where the text came from, for messages
   * @throws ModelFormatException if the text is not a valid artifact
   */
  public static LinearModel fromJson(String source, String json) {
    Fields f = new Fields(source, parse(source, json));
    String format = f.text(f.root, "format");
    if (!format.equals(FORMAT)) {
      throw f.error("is not a model artifact: format is '" + format + "', expected '" + FORMAT + "'");
    }
    int formatVersion = f.integer(f.root, "formatVersion");
    if (formatVersion != FORMAT_VERSION) {
      throw f.error("has formatVersion " + formatVersion + "; this build reads only version "
          + FORMAT_VERSION + (formatVersion > FORMAT_VERSION ? " (upgrade mlqueue)" : ""));
    }
    String type = f.text(f.root, "type");
    if (!type.equals(TYPE_LINEAR)) {
      throw f.error("has model type '" + type + "'; this build knows only '" + TYPE_LINEAR + "'");
    }
    List<String> features = f.texts(f.root, "features");
    double[] coefficients = f.numbers(f.root, "coefficients");
    if (features.size() != coefficients.length) {
      throw f.error("lists " + features.size() + " features but " + coefficients.length
          + " coefficients; they must pair up one to one");
    }
    double intercept = f.number(f.root, "intercept");
    TrainingProvenance provenance = f.root.has("provenance") ? provenance(f) : null;
    try {
      return new LinearModel(
          f.text(f.root, "name"),
          f.text(f.root, "version"),
          features,
          f.text(f.root, "target"),
          intercept,
          coefficients,
          provenance);
    } catch (IllegalArgumentException e) {
      throw f.error(e.getMessage());
    }
  }

  private static TrainingProvenance provenance(Fields f) {
    JsonNode p = f.object(f.root, "provenance");
    JsonNode m = f.object(p, "inSample");
    JsonNode sha = p.get("dataSha256");
    String trainedAt = f.text(p, "trainedAt");
    try {
      return new TrainingProvenance(
          f.text(p, "data"),
          f.integer(p, "rows"),
          sha == null || sha.isNull() ? null : f.text(p, "dataSha256"),
          f.text(p, "trainer"),
          Instant.parse(trainedAt),
          new FitMetrics(f.number(m, "r2"), f.number(m, "mae"), f.number(m, "rmse")));
    } catch (DateTimeParseException e) {
      throw f.error("provenance.trainedAt '" + trainedAt + "' is not an ISO-8601 instant"
          + " such as 2026-11-29T03:15:00Z");
    } catch (IllegalArgumentException e) {
      throw f.error("provenance: " + e.getMessage());
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

  /** Typed field access whose failures name the artifact and the field. */
  private record Fields(String source, JsonNode root) {
    ModelFormatException error(String problem) {
      return new ModelFormatException("model artifact " + source + " " + problem);
    }

    private JsonNode field(JsonNode parent, String name) {
      JsonNode v = parent.get(name);
      if (v == null || v.isNull()) {
        throw error("has no field '" + name + "'");
      }
      return v;
    }

    JsonNode object(JsonNode parent, String name) {
      JsonNode v = field(parent, name);
      if (!v.isObject()) {
        throw error("field '" + name + "' must be an object, got " + show(v));
      }
      return v;
    }

    String text(JsonNode parent, String name) {
      JsonNode v = field(parent, name);
      if (!v.isTextual()) {
        throw error("field '" + name + "' must be a string, got " + show(v));
      }
      return v.textValue();
    }

    int integer(JsonNode parent, String name) {
      JsonNode v = field(parent, name);
      if (!v.isIntegralNumber() || !v.canConvertToInt()) {
        throw error("field '" + name + "' must be a whole number, got " + show(v));
      }
      return v.intValue();
    }

    double number(JsonNode parent, String name) {
      return finite(name, field(parent, name));
    }

    private double finite(String what, JsonNode v) {
      // JSON has no NaN or Infinity; a string "NaN" or an overflowing literal like 1e999 ends here.
      if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
        throw error(what + " must be a finite number, got " + show(v));
      }
      return v.doubleValue();
    }

    /** A value for a message, cut short: a wrong field may hold a whole object. */
    private static String show(JsonNode v) {
      String s = v.toString();
      return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    List<String> texts(JsonNode parent, String name) {
      JsonNode v = field(parent, name);
      if (!v.isArray()) {
        throw error("field '" + name + "' must be an array of strings, got " + show(v));
      }
      List<String> out = new ArrayList<>(v.size());
      for (int i = 0; i < v.size(); i++) {
        if (!v.get(i).isTextual()) {
          throw error(name + "[" + i + "] must be a string, got " + show(v.get(i)));
        }
        out.add(v.get(i).textValue());
      }
      return out;
    }

    double[] numbers(JsonNode parent, String name) {
      JsonNode v = field(parent, name);
      if (!v.isArray()) {
        throw error("field '" + name + "' must be an array of numbers, got " + show(v));
      }
      double[] out = new double[v.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = finite(name + "[" + i + "]", v.get(i));
      }
      return out;
    }
  }
}
