package io.mlqueue.it;

import io.mlqueue.contract.Queues;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of malformed messages for each queue of the contract, each with the words that
 * the reason for refusing it must contain: the dead letter's {@code x-mlqueue-reason}, or on {@code
 * predict} the error reply. The same seed gives the same messages.
 */
final class FuzzMessages {
  /** The services' default {@code --max-message-bytes}. */
  static final int MAX_MESSAGE_BYTES = 1 << 20;

  private static final int FEATURES = 10;

  /** What is wrong with a message. */
  enum Kind {
    NOT_JSON,
    TRUNCATED,
    NOT_AN_OBJECT,
    TRAILING_CONTENT,
    EMPTY,
    MISSING_ID,
    DUPLICATED_ID,
    ID_OF_WRONG_TYPE,
    EMPTY_ID,
    MISSING_BODY,
    BODY_OF_WRONG_TYPE,
    ELEMENT_OF_WRONG_TYPE,
    WRONG_LENGTH,
    NAN_OR_INFINITY,
    NAN_AS_STRING,
    NUMBER_OUT_OF_RANGE,
    TOO_LARGE_FOR_THE_MODEL,
    DEEP_NESTING,
    INVALID_UTF8,
    OVER_THE_SIZE_LIMIT,
    RANDOM_BYTES,
    LINE_BREAK_IN_ID,
    /** On {@code predict}: a well-formed request nobody could receive the answer to. */
    NO_REPLY_TO,
    /** On {@code predict}: a well-formed request whose caller could not recognise the answer. */
    NO_CORRELATION_ID;

    /** Whether the kind means anything on {@code queue}. */
    boolean appliesTo(String queue) {
      boolean vectors = queue.equals(Queues.FEATURES) || queue.equals(Queues.PREDICT);
      return switch (this) {
        case WRONG_LENGTH, TOO_LARGE_FOR_THE_MODEL -> vectors;
        // a line break is a fine id for a prediction; only metric_log.csv cannot hold it
        case LINE_BREAK_IN_ID -> !vectors;
        case NO_REPLY_TO, NO_CORRELATION_ID -> queue.equals(Queues.PREDICT);
        default -> true;
      };
    }
  }

  /**
   * A malformed message.
   *
   * @param why what the reason for refusing it must contain; empty when any reason will do
   */
  record Bad(Kind kind, byte[] body, String why) {}

  private final Random random;
  private int serial;

  FuzzMessages(long seed) {
    this.random = new Random(seed);
  }

  /** The kinds that can be sent to {@code queue}. */
  static List<Kind> kinds(String queue) {
    return Arrays.stream(Kind.values()).filter(k -> k.appliesTo(queue)).toList();
  }

  /**
   * A malformed message of a random kind for {@code queue}, except {@link
   * Kind#OVER_THE_SIZE_LIMIT}, which is megabytes and is asked for by name.
   */
  Bad bad(String queue) {
    List<Kind> kinds = new ArrayList<>(kinds(queue));
    kinds.remove(Kind.OVER_THE_SIZE_LIMIT);
    if (queue.equals(Queues.PREDICT) && random.nextBoolean()) {
      // Half the bad calls have no one to answer to; the rest get an error reply.
      return bad(queue, random.nextBoolean() ? Kind.NO_REPLY_TO : Kind.NO_CORRELATION_ID);
    }
    kinds.remove(Kind.NO_REPLY_TO);
    kinds.remove(Kind.NO_CORRELATION_ID);
    return bad(queue, kinds.get(random.nextInt(kinds.size())));
  }

  /** A malformed message of {@code kind} for {@code queue}. */
  Bad bad(String queue, Kind kind) {
    Shape s = new Shape(queue);
    String id = "\"bad-" + serial++ + "\"";
    return switch (kind) {
      case NOT_JSON ->
          text(
              kind,
              pick(
                  "this is not JSON " + serial,
                  "<message id=" + id + "/>",
                  "{id: " + serial + "}",
                  "{" + id + " " + id + "}"),
              "not valid JSON");
      case TRUNCATED -> text(kind, s.truncated(id), "truncated JSON");
      case NOT_AN_OBJECT ->
          text(kind, pick("[1, 2, 3]", id, "42", "null", "true"), "expected a JSON object");
      case TRAILING_CONTENT ->
          text(kind, s.good(id) + " " + s.good(id), "unexpected content after the JSON object");
      case EMPTY -> new Bad(kind, new byte[0], "empty message body");
      case MISSING_ID -> text(kind, "{" + s.body() + "}", "missing field \"id\"");
      case DUPLICATED_ID ->
          text(kind, "{\"id\": " + id + ", \"id\": 7, " + s.body() + "}", "Duplicate field 'id'");
      case ID_OF_WRONG_TYPE -> {
        String badId = pick("{\"n\": 1}", "[1]", "true", "false", "null");
        // On the stream's queues a list of ids is the bulk form (docs/CONTRACT.md), refused here
        // because the body is a single row's.
        boolean bulkId = badId.startsWith("[") && !s.queue.equals(Queues.PREDICT);
        yield text(
            kind,
            "{\"id\": " + badId + ", " + s.body() + "}",
            bulkId ? "\"id\" is a list (a bulk message)" : "\"id\" must be a string or a number");
      }
      case EMPTY_ID -> text(kind, "{\"id\": \"\", " + s.body() + "}", "\"id\" is an empty string");
      case MISSING_BODY -> text(kind, "{\"id\": " + id + "}", "missing field \"" + s.field + "\"");
      case BODY_OF_WRONG_TYPE -> s.wrongType(id);
      case ELEMENT_OF_WRONG_TYPE -> s.wrongElement(id);
      case WRONG_LENGTH -> s.wrongLength(id);
      case NAN_OR_INFINITY ->
          s.withOneValue(kind, id, pick("NaN", "Infinity", "-Infinity"), "is not a finite number");
      case NAN_AS_STRING ->
          s.withOneValue(
              kind, id, pick("\"NaN\"", "\"Infinity\""), "must be a number, got a string");
      case NUMBER_OUT_OF_RANGE ->
          s.withOneValue(kind, id, pick("1e400", "-1e309", "2e308"), "is not a finite number");
      case TOO_LARGE_FOR_THE_MODEL ->
          text(kind, s.of(id, "1e308"), "the prediction is not a finite number");
      case DEEP_NESTING -> {
        int depth = random.nextInt(10) == 0 ? 100_000 : 33 + random.nextInt(2_000);
        yield text(
            kind,
            "{\"id\": " + id + ", \"extra\": " + "[".repeat(depth),
            "nested deeper than 32 levels");
      }
      case INVALID_UTF8 -> {
        byte[][] sequences = {
          {(byte) 0xFF},
          {(byte) 0xC3, 0x28},
          {(byte) 0xE2, (byte) 0x82, 0x28},
          {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8("{\"id\": \"bad-" + serial + "-"));
        out.writeBytes(sequences[random.nextInt(sequences.length)]);
        out.writeBytes(utf8("\", " + s.body() + "}"));
        yield new Bad(kind, out.toByteArray(), "UTF-8");
      }
      case OVER_THE_SIZE_LIMIT -> {
        int size = 2 * MAX_MESSAGE_BYTES + random.nextInt(6 * MAX_MESSAGE_BYTES);
        String head = "{\"id\": " + id + ", " + s.body() + ", \"pad\": \"";
        String padded = head + "x".repeat(size - head.length() - 2) + "\"}";
        yield text(
            kind,
            padded,
            "message of "
                + size
                + " bytes is over the limit of "
                + MAX_MESSAGE_BYTES
                + " bytes (--max-message-bytes)");
      }
      case RANDOM_BYTES -> {
        byte[] body = new byte[1 + random.nextInt(256)];
        random.nextBytes(body);
        body[0] = (byte) '~'; // never by chance a whole valid message
        yield new Bad(kind, body, "");
      }
      case LINE_BREAK_IN_ID ->
          text(kind, "{\"id\": \"bad-" + serial + "\\nrow\", " + s.body() + "}", "line break");
      case NO_REPLY_TO -> text(kind, s.good(id), "needs reply_to");
      case NO_CORRELATION_ID -> text(kind, s.good(id), "needs correlation_id");
    };
  }

  /** How a queue's body looks: a vector ({@code features}), rows ({@code predict}) or a number. */
  private final class Shape {
    final String queue;
    final String field;

    Shape(String queue) {
      this.queue = queue;
      this.field = queue.equals(Queues.PREDICT) ? "instances" : "body";
    }

    boolean isValue() {
      return !queue.equals(Queues.FEATURES) && !queue.equals(Queues.PREDICT);
    }

    /** The body field with {@code values} as its numbers (one for a value queue). */
    String body(List<String> values) {
      String list = "[" + String.join(", ", values) + "]";
      return "\""
          + field
          + "\": "
          + (isValue() ? values.get(0) : queue.equals(Queues.PREDICT) ? "[" + list + "]" : list);
    }

    String body() {
      return body(numbers(FEATURES));
    }

    String good(String id) {
      return "{\"id\": " + id + ", " + body() + "}";
    }

    /** Every value {@code literal}. */
    String of(String id, String literal) {
      return "{\"id\": " + id + ", " + body(Collections.nCopies(FEATURES, literal)) + "}";
    }

    /** Cut off after a number, so only the end is missing. */
    String truncated(String id) {
      String whole = good(id);
      return whole.substring(0, whole.lastIndexOf(isValue() ? "}" : "]"));
    }

    Bad withOneValue(Kind kind, String id, String literal, String why) {
      List<String> values = numbers(FEATURES);
      values.set(isValue() ? 0 : random.nextInt(FEATURES), literal);
      return text(kind, "{\"id\": " + id + ", " + body(values) + "}", why);
    }

    Bad wrongType(String id) {
      if (isValue()) {
        return text(
            Kind.BODY_OF_WRONG_TYPE,
            "{\"id\": " + id + ", \"body\": " + pick("[151.0]", "\"151\"", "{\"v\": 151}") + "}",
            "body must be a number");
      }
      String why =
          queue.equals(Queues.PREDICT)
              ? "\"instances\" must be a list of lists of numbers"
              : "\"body\" must be a list of numbers";
      return text(
          Kind.BODY_OF_WRONG_TYPE,
          "{\"id\": "
              + id
              + ", \""
              + field
              + "\": "
              + pick("\"ten numbers\"", "{\"age\": 0.03}", "5")
              + "}",
          why);
    }

    Bad wrongElement(String id) {
      String element = pick("\"x\"", "true", "null", "{}", "[]");
      if (isValue()) {
        // A list where one number belongs is the bulk form (docs/CONTRACT.md); an empty one is
        // refused as such.
        return withOneValue(
            Kind.ELEMENT_OF_WRONG_TYPE,
            id,
            element,
            element.equals("[]") ? "\"body\" is an empty list" : "body must be a number");
      }
      List<String> values = numbers(FEATURES);
      int at = random.nextInt(FEATURES);
      values.set(at, element);
      String where = queue.equals(Queues.PREDICT) ? "instances[0][" + at + "]" : "body[" + at + "]";
      // A list first in a feature vector reads as the bulk form's first row, an empty one.
      String why =
          element.equals("[]") && at == 0 && !queue.equals(Queues.PREDICT)
              ? "body[0] is an empty list"
              : where + " must be a number";
      return text(Kind.ELEMENT_OF_WRONG_TYPE, "{\"id\": " + id + ", " + body(values) + "}", why);
    }

    Bad wrongLength(String id) {
      int n = random.nextInt(40);
      if (n == 0) {
        return text(
            Kind.WRONG_LENGTH,
            "{\"id\": " + id + ", " + body(List.of()) + "}",
            queue.equals(Queues.PREDICT)
                ? "instances[0] is an empty list"
                : "\"body\" is an empty list");
      }
      if (n == FEATURES) {
        n++;
      }
      return text(
          Kind.WRONG_LENGTH,
          "{\"id\": " + id + ", " + body(numbers(n)) + "}",
          "expected " + FEATURES + " features");
    }
  }

  /** {@code n} plausible feature values, as JSON numbers. */
  private List<String> numbers(int n) {
    List<String> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      values.add(Double.toString(Math.round((random.nextDouble() - 0.5) * 2e4) / 1e5));
    }
    return values;
  }

  private String pick(String... choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static Bad text(Kind kind, String body, String why) {
    return new Bad(kind, utf8(body), why);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
