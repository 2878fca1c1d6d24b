package io.mlqueue.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * JSON codec of the request/reply calls on queue {@code predict}: {@link PredictRequest} and {@link
 * PredictReply}, and the describe call answered with a {@link ModelDescription}. Validates like
 * {@link MessageCodec}: every number finite, rows of one length, named columns distinct.
 * Thread-safe.
 */
public final class PredictCodec {
  /** The most instances one request may carry. */
  public static final int MAX_INSTANCES = 10_000;

  /**
   * The AMQP {@code type} of a describe call: its body is {@code {"id": …}} and the worker answers
   * with its model's description instead of predictions. A worker that predates describe calls
   * reads it as a prediction request without instances and answers {@code invalid_input}.
   */
  public static final String DESCRIBE_TYPE = "describe";

  private static final String ID = "id";
  private static final String INSTANCES = "instances";
  private static final String FEATURE_NAMES = "feature_names";
  private static final String PREDICTIONS = "predictions";
  private static final String MODEL = "model";
  private static final String ERROR = "error";
  private static final String KIND = "kind";
  private static final String MESSAGE = "message";
  private static final String DESCRIPTION = "description";
  private static final String NAME = "name";
  private static final String VERSION = "version";
  private static final String TARGET = "target";
  private static final String PLATFORM = "platform";

  private final JsonFactory factory = JsonParsing.factory();
  private final int maxBytes;

  public PredictCodec() {
    this(MessageCodec.DEFAULT_MAX_BYTES);
  }

  /** A codec that refuses bodies over {@code maxBytes}. */
  public PredictCodec(int maxBytes) {
    MessageCodec.requireUsableLimit(maxBytes);
    this.maxBytes = maxBytes;
  }

  // ---- requests ----

  public byte[] encode(PredictRequest request) {
    return write(
        gen -> {
          gen.writeStartObject();
          MessageCodec.writeId(gen, request.id());
          gen.writeArrayFieldStart(INSTANCES);
          for (double[] row : request.instances()) {
            gen.writeArray(row, 0, row.length);
          }
          gen.writeEndArray();
          if (!request.featureNames().isEmpty()) {
            gen.writeArrayFieldStart(FEATURE_NAMES);
            for (String name : request.featureNames()) {
              gen.writeString(name);
            }
            gen.writeEndArray();
          }
          gen.writeEndObject();
        });
  }

  public PredictRequest decodeRequest(byte[] body) throws InvalidMessageException {
    checkSize(body);
    MessageId id = null;
    double[][] instances = null;
    List<String> names = List.of();
    try (JsonParser p = factory.createParser(body)) {
      expectObject(p);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case ID -> id = JsonParsing.readId(p, t);
          case INSTANCES -> instances = readInstances(p, t);
          case FEATURE_NAMES -> names = readNames(p, t);
          default -> p.skipChildren();
        }
      }
      expectEnd(p);
    } catch (IOException e) {
      throw JsonParsing.invalid(e);
    }
    if (id == null) {
      throw new InvalidMessageException("missing field \"id\"");
    }
    if (instances == null) {
      throw new InvalidMessageException("missing field \"instances\"");
    }
    if (!names.isEmpty() && names.size() != instances[0].length) {
      throw new InvalidMessageException(
          names.size() + " feature names for rows of " + instances[0].length + " values");
    }
    return new PredictRequest(id, instances, names);
  }

  private static double[][] readInstances(JsonParser p, JsonToken t)
      throws IOException, InvalidMessageException {
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidMessageException("\"instances\" must be a list of lists of numbers");
    }
    List<double[]> rows = new ArrayList<>();
    JsonToken e;
    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
      if (rows.size() == MAX_INSTANCES) {
        throw new InvalidMessageException("more than " + MAX_INSTANCES + " instances");
      }
      double[] row = JsonParsing.readVector(p, e, INSTANCES + "[" + rows.size() + "]");
      if (!rows.isEmpty() && row.length != rows.get(0).length) {
        throw new InvalidMessageException(
            "instance "
                + rows.size()
                + " has "
                + row.length
                + " values, instance 0 has "
                + rows.get(0).length);
      }
      rows.add(row);
    }
    if (rows.isEmpty()) {
      throw new InvalidMessageException("\"instances\" is an empty list");
    }
    return rows.toArray(double[][]::new);
  }

  private static List<String> readNames(JsonParser p, JsonToken t)
      throws IOException, InvalidMessageException {
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidMessageException("\"feature_names\" must be a list of strings");
    }
    List<String> names = new ArrayList<>();
    JsonToken e;
    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
      if (e != JsonToken.VALUE_STRING || names.size() == JsonParsing.MAX_FEATURES) {
        throw new InvalidMessageException("\"feature_names\" must be a list of strings");
      }
      names.add(p.getText());
    }
    if (new HashSet<>(names).size() != names.size()) {
      throw new InvalidMessageException("\"feature_names\" repeats a name: " + names);
    }
    return names;
  }

  // ---- replies ----

  public byte[] encode(PredictReply reply) {
    return write(
        gen -> {
          gen.writeStartObject();
          MessageCodec.writeId(gen, reply.id());
          switch (reply) {
            case PredictReply.Predictions ok -> {
              gen.writeFieldName(PREDICTIONS);
              gen.writeArray(ok.predictions(), 0, ok.predictions().length);
              gen.writeStringField(MODEL, ok.model());
            }
            case PredictReply.Failure failure -> {
              gen.writeObjectFieldStart(ERROR);
              gen.writeStringField(KIND, failure.kind().wire());
              gen.writeStringField(MESSAGE, failure.message());
              gen.writeEndObject();
            }
          }
          gen.writeEndObject();
        });
  }

  public PredictReply decodeReply(byte[] body) throws InvalidMessageException {
    checkSize(body);
    MessageId id = null;
    double[] predictions = null;
    String model = "";
    PredictReply.Kind kind = null;
    String message = "";
    try (JsonParser p = factory.createParser(body)) {
      expectObject(p);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case ID -> id = JsonParsing.readId(p, t);
          case PREDICTIONS -> predictions = JsonParsing.readVector(p, t, PREDICTIONS);
          case MODEL -> model = t == JsonToken.VALUE_STRING ? p.getText() : "";
          case ERROR -> {
            PredictReply.Failure f = readError(p, t, MessageId.of("-"));
            kind = f.kind();
            message = f.message();
          }
          default -> p.skipChildren();
        }
      }
      expectEnd(p);
    } catch (IOException e) {
      throw JsonParsing.invalid(e);
    }
    if (id == null) {
      throw new InvalidMessageException("missing field \"id\"");
    }
    if (kind != null) {
      return new PredictReply.Failure(id, kind, message);
    }
    if (predictions == null) {
      throw new InvalidMessageException("a reply needs \"predictions\" or \"error\"");
    }
    return new PredictReply.Predictions(id, predictions, model);
  }

  /** Reads an {@code "error"} object whose start is current; unknown kinds read as internal. */
  private static PredictReply.Failure readError(JsonParser p, JsonToken t, MessageId id)
      throws IOException, InvalidMessageException {
    if (t != JsonToken.START_OBJECT) {
      throw new InvalidMessageException("\"error\" must be an object");
    }
    PredictReply.Kind kind = PredictReply.Kind.INTERNAL;
    String message = "";
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken v = p.nextToken();
      if (KIND.equals(f) && v == JsonToken.VALUE_STRING) {
        kind = PredictReply.Kind.fromWire(p.getText());
      } else if (MESSAGE.equals(f) && v == JsonToken.VALUE_STRING) {
        message = p.getText();
      } else {
        p.skipChildren();
      }
    }
    return new PredictReply.Failure(id, kind, message);
  }

  // ---- describe calls ----

  /**
   * The body of a describe call: {@code {"id": …}}, sent with the AMQP type {@value
   * #DESCRIBE_TYPE}.
   */
  public byte[] encodeDescribe(MessageId id) {
    return write(
        gen -> {
          gen.writeStartObject();
          MessageCodec.writeId(gen, id);
          gen.writeEndObject();
        });
  }

  /**
   * The answer to a describe call: {@code {"id": …, "model": "name:version", "description":
   * {"name": …, "version": …, "feature_names": […], "target": …, "platform": …}}}.
   */
  public byte[] encode(MessageId id, ModelDescription description) {
    return write(
        gen -> {
          gen.writeStartObject();
          MessageCodec.writeId(gen, id);
          gen.writeStringField(MODEL, description.id());
          gen.writeObjectFieldStart(DESCRIPTION);
          gen.writeStringField(NAME, description.name());
          gen.writeStringField(VERSION, description.version());
          gen.writeArrayFieldStart(FEATURE_NAMES);
          for (String name : description.featureNames()) {
            gen.writeString(name);
          }
          gen.writeEndArray();
          gen.writeStringField(TARGET, description.target());
          gen.writeStringField(PLATFORM, description.platform());
          gen.writeEndObject();
          gen.writeEndObject();
        });
  }

  /**
   * Reads the answer to a describe call.
   *
   * @throws InvalidMessageException if the body is not a description, including a worker's error
   *     answer (a worker that predates describe calls answers {@code invalid_input}), whose kind
   *     and message the exception's message carries
   */
  public ModelDescription decodeDescription(byte[] body) throws InvalidMessageException {
    checkSize(body);
    ModelDescription description = null;
    PredictReply.Failure failure = null;
    try (JsonParser p = factory.createParser(body)) {
      expectObject(p);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case DESCRIPTION -> description = readDescription(p, t);
          case ERROR -> failure = readError(p, t, MessageId.of("describe"));
          default -> p.skipChildren();
        }
      }
      expectEnd(p);
    } catch (IOException e) {
      throw JsonParsing.invalid(e);
    }
    if (description != null) {
      return description;
    }
    if (failure != null) {
      throw new InvalidMessageException(
          "the worker answered " + failure.kind().wire() + ": " + failure.message());
    }
    throw new InvalidMessageException("a describe answer needs \"description\"");
  }

  private static ModelDescription readDescription(JsonParser p, JsonToken t)
      throws IOException, InvalidMessageException {
    if (t != JsonToken.START_OBJECT) {
      throw new InvalidMessageException("\"description\" must be an object");
    }
    String name = null;
    String version = null;
    String target = null;
    String platform = null;
    List<String> features = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      switch (field) {
        case NAME -> name = readString(p, v, field);
        case VERSION -> version = readString(p, v, field);
        case TARGET -> target = readString(p, v, field);
        case PLATFORM -> platform = readString(p, v, field);
        case FEATURE_NAMES -> features = readNames(p, v);
        default -> p.skipChildren();
      }
    }
    if (name == null || version == null || target == null || features == null) {
      throw new InvalidMessageException(
          "\"description\" needs \"name\", \"version\", \"feature_names\" and \"target\"");
    }
    try {
      return new ModelDescription(
          name, version, features, target, platform == null ? "" : platform);
    } catch (IllegalArgumentException e) {
      throw new InvalidMessageException(e.getMessage());
    }
  }

  private static String readString(JsonParser p, JsonToken t, String field)
      throws IOException, InvalidMessageException {
    if (t != JsonToken.VALUE_STRING) {
      throw new InvalidMessageException("\"" + field + "\" must be a string");
    }
    return p.getText();
  }

  // ---- shared ----

  private void checkSize(byte[] body) throws InvalidMessageException {
    JsonParsing.checkSize(body, maxBytes);
  }

  private static void expectObject(JsonParser p) throws IOException, InvalidMessageException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new InvalidMessageException(
          "expected a JSON object, got " + JsonParsing.describe(p.currentToken()));
    }
  }

  private static void expectEnd(JsonParser p) throws IOException, InvalidMessageException {
    if (p.nextToken() != null) {
      throw new InvalidMessageException("unexpected content after the JSON object");
    }
  }

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator gen) throws IOException;
  }

  private byte[] write(Body body) {
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (JsonGenerator gen = factory.createGenerator(out)) {
      body.write(gen);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
