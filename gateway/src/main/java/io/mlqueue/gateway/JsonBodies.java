package io.mlqueue.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import io.mlqueue.contract.MessageId;
import io.mlqueue.gateway.Predictor.Readiness;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The gateway's one JSON factory, the bodies both APIs share (errors, health), and {@link #write}
 * for the protocol packages' own.
 */
public final class JsonBodies {
  /**
   * Reads {@code NaN} and {@code Infinity} (so they are refused by name, with their index, instead
   * of as a syntax error), bounds nesting, and parses doubles with Jackson's fast parser.
   * Duplicated keys are detected by the parser's callers, which say which key in which instance.
   *
   * <p>Its buffers are recycled through a pool shared by all threads: Jackson's default pool keeps
   * them per thread, and every request runs on a new virtual thread, so each one allocated its own
   * read and write buffers (about 16 KB, most of the gateway's garbage per request).
   */
  public static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          // The request body belongs to Helidon, which drains or drops what the parser left.
          .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
          .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
          .build();

  private JsonBodies() {}

  /** {@code {"error": {"status": …, "code": …, "message": …}, "id": …}}; id only when known. */
  static byte[] error(int status, String code, String message, MessageId id) {
    return write(
        64 + message.length(),
        g -> {
          g.writeStartObject();
          g.writeObjectFieldStart("error");
          g.writeNumberField("status", status);
          g.writeStringField("code", code);
          g.writeStringField("message", message);
          g.writeEndObject();
          if (id != null) {
            g.writeStringField("id", id.text());
          }
          g.writeEndObject();
        });
  }

  /** {@code {"error": "message"}}: the Open Inference Protocol's error object. */
  static byte[] protocolError(String message) {
    return write(
        32 + message.length(),
        g -> {
          g.writeStartObject();
          g.writeStringField("error", message);
          g.writeEndObject();
        });
  }

  /** {@code {"status": "ready"|"not_ready", "broker": …, "workers": N[, "reason": …]}}. */
  static byte[] health(Readiness readiness, String reason) {
    return write(
        128,
        g -> {
          g.writeStartObject();
          g.writeStringField("status", readiness.ready() ? "ready" : "not_ready");
          g.writeStringField("broker", readiness.connected() ? "connected" : "disconnected");
          g.writeNumberField("workers", readiness.workers());
          if (reason != null) {
            g.writeStringField("reason", reason);
          }
          g.writeEndObject();
        });
  }

  /** Writes one JSON value with a generator. */
  @FunctionalInterface
  public interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** The bytes {@code body} writes; {@code sizeHint} sizes the first buffer. */
  public static byte[] write(int sizeHint, Body body) {
    ByteArrayBuilder out = new ByteArrayBuilder(Math.min(sizeHint, 1 << 16));
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      // Writing to memory cannot fail for I/O reasons.
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
