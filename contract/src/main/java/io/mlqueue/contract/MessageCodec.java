package io.mlqueue.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * JSON codec of the wire contract, on Jackson's streaming API: no object tree per message, and the
 * original literal of a numeric id is kept so it can be echoed unchanged.
 *
 * <p>Decoding validates: an object with an {@code id} (string or number) and a {@code body} of the
 * right shape, every number finite, no duplicated field, bounded nesting and size. Unknown fields are
 * skipped, so producers may add their own. {@code NaN} and {@code Infinity} are accepted by the parser
 * (Python's {@code json.dumps} writes them) only to be rejected by name.
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

  /** A codec that refuses bodies over {@link #DEFAULT_MAX_BYTES}. */
  public MessageCodec() {
    this(DEFAULT_MAX_BYTES);
  }

  /** A codec that refuses bodies over {@code maxBytes}. */
  public MessageCodec(int maxBytes) {
    requireUsableLimit(maxBytes);
    this.maxBytes = maxBytes;
    this.factory = JsonParsing.factory();
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

  static void writeId(JsonGenerator gen, MessageId id) throws IOException {
    gen.writeFieldName(ID);
    if (id.numeric()) {
      gen.writeNumber(id.text()); // the literal as received, not re-formatted
    } else {
      gen.writeString(id.text());
    }
  }

  // ---- decoding ----

  /** Decodes a message of queue {@code features}. */
  public FeaturesMessage decodeFeatures(byte[] body) throws InvalidMessageException {
    Fields f = parse(body, true);
    return new FeaturesMessage(f.id, f.vector, f.sentAt);
  }

  /** Decodes a message of queue {@code y_true} or {@code y_pred}. */
  public ValueMessage decodeValue(byte[] body) throws InvalidMessageException {
    Fields f = parse(body, false);
    return new ValueMessage(f.id, f.scalar, f.model, f.sentAt);
  }

  /**
   * Reads just the id of a message, for naming a dead letter whose body is otherwise invalid; empty
   * when the body has no readable id.
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
          return Optional.ofNullable(JsonParsing.readId(p, t));
        }
        p.skipChildren();
      }
    } catch (IOException | InvalidMessageException e) {
      // no readable id
    }
    return Optional.empty();
  }

  private static final class Fields {
    MessageId id;
    double[] vector;
    double scalar;
    boolean hasBody;
    String model = "";
    long sentAt;
  }

  private Fields parse(byte[] body, boolean vector) throws InvalidMessageException {
    JsonParsing.checkSize(body, maxBytes);
    Fields f = new Fields();
    try (JsonParser p = factory.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidMessageException(
            "expected a JSON object {\"id\": …, \"body\": …}, got " + JsonParsing.describe(p.currentToken()));
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case ID -> f.id = JsonParsing.readId(p, t);
          case BODY -> {
            f.hasBody = true;
            if (vector) {
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
        throw new InvalidMessageException("unexpected content after the JSON object");
      }
    } catch (InvalidMessageException e) {
      throw e;
    } catch (IOException e) {
      throw JsonParsing.invalid(e);
    }
    if (f.id == null) {
      throw new InvalidMessageException("missing field \"id\"");
    }
    if (!f.hasBody) {
      throw new InvalidMessageException("missing field \"body\"");
    }
    return f;
  }

  /** A generator over a reusable-free byte builder; one per encode, cheap. */
  private final class Writer implements AutoCloseable {
    final ByteArrayBuilder out = new ByteArrayBuilder(128);
    final JsonGenerator gen;

    Writer() throws IOException {
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
