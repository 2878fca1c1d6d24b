package io.mlqueue.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Codec of the wire contract, on Jackson's streaming API: no object tree per message, and the
 * original literal of a numeric id is kept so it can be echoed unchanged. One instance reads and
 * writes one {@link WireFormat}: JSON (the course's), or the same objects in CBOR; {@link
 * #in(WireFormat)} gives the codec of the other with the same limit.
 *
 * <p>Decoding validates: an object with an {@code id} (string or number) and a {@code body} of the
 * right shape, every number finite, no duplicated field, bounded nesting and size. Unknown fields
 * are skipped, so producers may add their own. {@code NaN} and {@code Infinity} are accepted by the
 * parser (Python's {@code json.dumps} writes them) only to be rejected by name.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class MessageCodec {
  /** Default limit on a message body, in bytes. */
  public static final int DEFAULT_MAX_BYTES = 1 << 20;

  static final String ID = "id";
  static final String BODY = "body";
  static final String MODEL = "model";
  static final String SENT_AT = "sent_at";

  private final JsonFactory factory;
  private final int maxBytes;
  private final WireFormat format;
  private final String formatName;
  private volatile MessageCodec sibling; // the other format's codec, made when first asked for

  /** A JSON codec that refuses bodies over {@link #DEFAULT_MAX_BYTES}. */
  public MessageCodec() {
    this(DEFAULT_MAX_BYTES);
  }

  /** A JSON codec that refuses bodies over {@code maxBytes}. */
  public MessageCodec(int maxBytes) {
    this(maxBytes, WireFormat.JSON);
  }

  /** A codec of {@code format} that refuses bodies over {@code maxBytes}. */
  public MessageCodec(int maxBytes, WireFormat format) {
    requireUsableLimit(maxBytes);
    this.maxBytes = maxBytes;
    this.format = format;
    this.formatName = format.displayName();
    this.factory = format == WireFormat.CBOR ? JsonParsing.cborFactory() : JsonParsing.factory();
  }

  /** The format this codec reads and writes. */
  public WireFormat format() {
    return format;
  }

  /** The codec of {@code other} with this one's limit: this one if it is that format. */
  public MessageCodec in(WireFormat other) {
    if (other == format) {
      return this;
    }
    MessageCodec s = sibling;
    if (s == null) {
      s = new MessageCodec(maxBytes, other);
      s.sibling = this;
      sibling = s;
    }
    return s;
  }

  /** The codec for a message with this {@code content_type} (see {@link WireFormat}). */
  public MessageCodec forContentType(String contentType) {
    return in(WireFormat.ofContentType(contentType));
  }

  /** The smallest limit a codec takes: a message of the contract is not much shorter. */
  public static final int MIN_MAX_BYTES = 64;

  /** Throws unless {@code maxBytes} is a limit a codec can work with. */
  static void requireUsableLimit(int maxBytes) {
    if (maxBytes < MIN_MAX_BYTES) {
      throw new IllegalArgumentException(
          "the message size limit must be at least " + MIN_MAX_BYTES + " bytes, was " + maxBytes);
    }
  }

  public int maxBytes() {
    return maxBytes;
  }

  // ---- encoding ----

  public byte[] encode(FeaturesMessage message) {
    try (Writer w = new Writer()) {
      w.gen.writeStartObject();
      writeId(w.gen, message.id());
      w.gen.writeArrayFieldStart(BODY);
      for (double v : message.features()) {
        w.gen.writeNumber(v);
      }
      w.gen.writeEndArray();
      if (message.sentAtMillis() != 0) {
        w.gen.writeNumberField(SENT_AT, message.sentAtMillis());
      }
      w.gen.writeEndObject();
      return w.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] encode(ValueMessage message) {
    try (Writer w = new Writer()) {
      w.gen.writeStartObject();
      writeId(w.gen, message.id());
      w.gen.writeNumberField(BODY, message.value());
      if (!message.model().isEmpty()) {
        w.gen.writeStringField(MODEL, message.model());
      }
      if (message.sentAtMillis() != 0) {
        w.gen.writeNumberField(SENT_AT, message.sentAtMillis());
      }
      w.gen.writeEndObject();
      return w.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Encodes the rows of a {@code features} message: the course's form for a single row, the bulk
   * form ({@code "id"} and {@code "body"} as lists) for a bulk one.
   */
  public byte[] encode(FeatureRows rows) {
    if (!rows.bulk()) {
      return encode(new FeaturesMessage(rows.ids()[0], rows.features()[0], rows.sentAtMillis()));
    }
    try (Writer w = new Writer(32 + rows.size() * 240)) {
      w.gen.writeStartObject();
      writeIds(w.gen, rows.ids());
      w.gen.writeArrayFieldStart(BODY);
      for (double[] row : rows.features()) {
        w.gen.writeArray(row, 0, row.length);
      }
      w.gen.writeEndArray();
      if (rows.sentAtMillis() != 0) {
        w.gen.writeNumberField(SENT_AT, rows.sentAtMillis());
      }
      w.gen.writeEndObject();
      return w.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Encodes the rows of a {@code y_true} or {@code y_pred} message: the course's form for a single
   * row, the bulk form for a bulk one.
   */
  public byte[] encode(ValueRows rows) {
    if (!rows.bulk()) {
      return encode(rows.row(0));
    }
    try (Writer w = new Writer(64 + rows.size() * 64)) {
      w.gen.writeStartObject();
      writeIds(w.gen, rows.ids());
      w.gen.writeFieldName(BODY);
      w.gen.writeArray(rows.values(), 0, rows.size());
      if (!rows.model().isEmpty()) {
        w.gen.writeStringField(MODEL, rows.model());
      }
      if (rows.sentAtMillis() != 0) {
        w.gen.writeNumberField(SENT_AT, rows.sentAtMillis());
      }
      w.gen.writeEndObject();
      return w.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeIds(JsonGenerator gen, MessageId[] ids) throws IOException {
    gen.writeArrayFieldStart(ID);
    for (MessageId id : ids) {
      writeIdValue(gen, id);
    }
    gen.writeEndArray();
  }

  static void writeId(JsonGenerator gen, MessageId id) throws IOException {
    gen.writeFieldName(ID);
    writeIdValue(gen, id);
  }

  private static void writeIdValue(JsonGenerator gen, MessageId id) throws IOException {
    if (id.numeric()) {
      if (gen instanceof CBORGenerator) {
        writeBinaryNumber(gen, id.text()); // CBOR has numbers, not literals
      } else {
        gen.writeNumber(id.text()); // JSON: the literal as received, not re-formatted
      }
    } else {
      gen.writeString(id.text());
    }
  }

  /** A numeric id's value in a binary format: an integer if it is one, else a double. */
  private static void writeBinaryNumber(JsonGenerator gen, String literal) throws IOException {
    try {
      gen.writeNumber(Long.parseLong(literal));
    } catch (NumberFormatException notWhole) {
      gen.writeNumber(Double.parseDouble(literal));
    }
  }

  // ---- decoding ----

  /** Decodes a single-row message of queue {@code features}; a bulk message is refused. */
  public FeaturesMessage decodeFeatures(byte[] body) throws InvalidMessageException {
    FeatureRows rows = decodeFeatureRows(body);
    if (rows.bulk()) {
      throw new InvalidMessageException("a bulk message where one feature vector was expected");
    }
    return new FeaturesMessage(rows.ids()[0], rows.features()[0], rows.sentAtMillis());
  }

  /** Decodes a single-row message of queue {@code y_true} or {@code y_pred}; bulk is refused. */
  public ValueMessage decodeValue(byte[] body) throws InvalidMessageException {
    ValueRows rows = decodeValueRows(body);
    if (rows.bulk()) {
      throw new InvalidMessageException("a bulk message where one value was expected");
    }
    return rows.row(0);
  }

  /** Decodes a message of queue {@code features}, single-row or bulk. */
  public FeatureRows decodeFeatureRows(byte[] body) throws InvalidMessageException {
    Fields f = parse(body, true);
    if (f.ids == null) {
      if (f.matrix != null) {
        throw new InvalidMessageException(
            "\"body\" must be a list of numbers, got a list of lists (that is a bulk message's"
                + " body, whose \"id\" is a list of ids)");
      }
      return FeatureRows.single(f.id, f.vector, f.sentAt);
    }
    if (f.matrix == null) {
      throw new InvalidMessageException(
          "\"id\" is a list (a bulk message) but \"body\" is not a list of feature vectors");
    }
    requireSameCount(f.ids.length, f.matrix.length);
    return new FeatureRows(f.ids, f.matrix, f.sentAt, true);
  }

  /** Decodes a message of queue {@code y_true} or {@code y_pred}, single-row or bulk. */
  public ValueRows decodeValueRows(byte[] body) throws InvalidMessageException {
    Fields f = parse(body, false);
    if (f.ids == null) {
      if (f.vector != null) {
        throw new InvalidMessageException(
            "body must be a number, got a list (a list of numbers is a bulk message's body, whose"
                + " \"id\" is a list of ids)");
      }
      return ValueRows.single(f.id, f.scalar, f.model, f.sentAt);
    }
    if (f.vector == null) {
      throw new InvalidMessageException(
          "\"id\" is a list (a bulk message) but \"body\" is not a list of numbers");
    }
    requireSameCount(f.ids.length, f.vector.length);
    return new ValueRows(f.ids, f.vector, f.model, f.sentAt, true);
  }

  private static void requireSameCount(int ids, int rows) throws InvalidMessageException {
    if (ids != rows) {
      throw new InvalidMessageException(
          "a bulk message needs one \"body\" entry per id: " + ids + " ids, " + rows + " entries");
    }
  }

  /**
   * Reads just the id of a message, for naming a dead letter whose body is otherwise invalid; empty
   * when the body has no readable id (or, in a bulk message, a list of them).
   */
  public Optional<MessageId> peekId(byte[] body) {
    if (body == null || body.length > maxBytes) {
      return Optional.empty();
    }
    try (JsonParser p = factory.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (ID.equals(name)) {
          return t == JsonToken.START_ARRAY
              ? Optional.empty()
              : Optional.ofNullable(JsonParsing.readId(p, t));
        }
        p.skipChildren();
      }
    } catch (IOException | InvalidMessageException e) {
      // no readable id
    }
    return Optional.empty();
  }

  /** The fields of a message as read: a single id or a list, and a body of the shape found. */
  private static final class Fields {
    MessageId id;
    MessageId[] ids; // the bulk form
    double[] vector; // features: one row; values: the bulk form
    double[][] matrix; // features: the bulk form
    double scalar;
    boolean hasBody;
    String model = "";
    long sentAt;
  }

  private Fields parse(byte[] body, boolean features) throws InvalidMessageException {
    JsonParsing.checkSize(body, maxBytes);
    Fields f = new Fields();
    try (JsonParser p = factory.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidMessageException(
            "expected a "
                + formatName
                + " object {\"id\": …, \"body\": …}, got "
                + JsonParsing.describe(p.currentToken()));
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case ID -> {
            if (t == JsonToken.START_ARRAY) {
              f.ids = readIds(p);
            } else {
              f.id = JsonParsing.readId(p, t);
            }
          }
          case BODY -> {
            f.hasBody = true;
            if (features) {
              readFeaturesBody(p, t, f);
            } else if (t == JsonToken.START_ARRAY) {
              f.vector = JsonParsing.readVector(p, t, BODY);
            } else {
              f.scalar = JsonParsing.readNumber(p, t, "body");
            }
          }
          case MODEL -> f.model = t == JsonToken.VALUE_STRING ? p.getText() : "";
          case SENT_AT -> f.sentAt = JsonParsing.readOptionalLong(p, t);
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new InvalidMessageException("unexpected content after the " + formatName + " object");
      }
    } catch (InvalidMessageException e) {
      throw e;
    } catch (IOException e) {
      throw JsonParsing.invalid(e, formatName);
    }
    if (f.id == null && f.ids == null) {
      throw new InvalidMessageException("missing field \"id\"");
    }
    if (!f.hasBody) {
      throw new InvalidMessageException("missing field \"body\"");
    }
    return f;
  }

  /** A list of numbers (one vector), or a list of such lists (the bulk form). */
  private static void readFeaturesBody(JsonParser p, JsonToken t, Fields f)
      throws IOException, InvalidMessageException {
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidMessageException(
          "\"body\" must be a list of numbers, got " + JsonParsing.describe(t));
    }
    JsonToken first = p.nextToken();
    if (first != JsonToken.START_ARRAY) {
      f.vector = JsonParsing.readVectorFrom(p, first, BODY);
      return;
    }
    List<double[]> rows = new ArrayList<>();
    for (JsonToken e = first; e != JsonToken.END_ARRAY; e = p.nextToken()) {
      rows.add(JsonParsing.readVector(p, e, BODY + "[" + rows.size() + "]"));
    }
    f.matrix = rows.toArray(new double[0][]);
  }

  /** The ids of a bulk message: a non-empty list of ids. */
  private static MessageId[] readIds(JsonParser p) throws IOException, InvalidMessageException {
    List<MessageId> ids = new ArrayList<>();
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      try {
        ids.add(JsonParsing.readId(p, e));
      } catch (InvalidMessageException bad) {
        throw new InvalidMessageException(
            bad.getMessage().replace("\"id\"", "\"id\"[" + ids.size() + "]"), bad);
      }
    }
    if (ids.isEmpty()) {
      throw new InvalidMessageException("\"id\" is an empty list");
    }
    return ids.toArray(new MessageId[0]);
  }

  /** A generator over a reusable-free byte builder; one per encode, cheap. */
  private final class Writer implements AutoCloseable {
    final ByteArrayBuilder out;
    final JsonGenerator gen;

    Writer() throws IOException {
      this(256);
    }

    Writer(int expectedBytes) throws IOException {
      out = new ByteArrayBuilder(expectedBytes);
      gen = factory.createGenerator(out);
    }

    byte[] bytes() throws IOException {
      gen.flush();
      return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
      gen.close();
    }
  }
}
