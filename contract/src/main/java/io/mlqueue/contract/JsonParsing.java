package io.mlqueue.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.IOException;
import java.util.Arrays;

/** The validating JSON reading shared by the codecs: ids, numbers, vectors, and errors in words. */
public final class JsonParsing {
  static final int MAX_NESTING = 32;
  static final int MAX_FEATURES = 1 << 16;

  private JsonParsing() {}

  /**
   * A factory that reads {@code NaN} and {@code Infinity} (to reject them by name), refuses
   * duplicated fields and deep nesting.
   */
  static JsonFactory factory() {
    return JsonFactory.builder()
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        // FastDoubleParser: correctly rounded like Double.parseDouble, several times faster; the
        // stream decodes ten numbers per message (a thousand in a bulk one).
        .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
        .build();
  }

  /**
   * A CBOR factory with the same limits as {@link #factory()}: duplicated keys and deep nesting
   * refused. A double that a float holds exactly is written as one (lossless, 5 bytes instead of 9:
   * the labels of the diabetes data are whole numbers).
   */
  static JsonFactory cborFactory() {
    return CBORFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(CBORGenerator.Feature.WRITE_MINIMAL_DOUBLES)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
        .build();
  }

  /** The JSON parser's failure in words. */
  static InvalidMessageException invalid(IOException e) {
    return invalid(e, "JSON");
  }

  /** The parser's failure in words; {@code format} names what was parsed ("JSON", "CBOR"). */
  static InvalidMessageException invalid(IOException e, String format) {
    if (e instanceof StreamConstraintsException) {
      // Nesting is our limit; the others (a number or a string longer than the parser reads) are
      // Jackson's defaults, which its message names.
      return new InvalidMessageException(
          String.valueOf(e.getMessage()).contains("nesting depth")
              ? format + " nested deeper than " + MAX_NESTING + " levels"
              : format
                  + " beyond the parser's limits: "
                  + firstLine(e).replaceAll(", from `[^`]*`", ""),
          e);
    }
    if (e instanceof JsonEOFException) {
      return new InvalidMessageException("truncated " + format + ": " + firstLine(e), e);
    }
    return new InvalidMessageException("not valid " + format + ": " + firstLine(e), e);
  }

  /**
   * Refuses an empty body, and one over {@code maxBytes} before a byte of it is parsed: the reason
   * names the option that sets the limit, for the person who reads the dead letter.
   */
  static void checkSize(byte[] body, int maxBytes) throws InvalidMessageException {
    if (body == null || body.length == 0) {
      throw new InvalidMessageException("empty message body");
    }
    if (body.length > maxBytes) {
      throw new InvalidMessageException(
          "message of "
              + body.length
              + " bytes is over the limit of "
              + maxBytes
              + " bytes (--max-message-bytes)");
    }
  }

  /** A whole number that fits a {@code long}; 0 for anything else, as for an absent field. */
  static long readOptionalLong(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      return 0;
    }
    JsonParser.NumberType type = p.getNumberType();
    return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG
        ? p.getLongValue()
        : 0;
  }

  static MessageId readId(JsonParser p, JsonToken t) throws IOException, InvalidMessageException {
    return switch (t) {
      case VALUE_STRING -> {
        String s = p.getText();
        if (s.isEmpty()) {
          throw new InvalidMessageException("\"id\" is an empty string");
        }
        yield MessageId.of(s);
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        if (p.isNaN()) {
          throw new InvalidMessageException("\"id\" is not a finite number");
        }
        yield MessageId.ofNumber(p.getText());
      }
      default ->
          throw new InvalidMessageException(
              "\"id\" must be a string or a number, got " + describe(t));
    };
  }

  /** A non-empty list of finite numbers; {@code field} names it in errors ({@code body}, …). */
  static double[] readVector(JsonParser p, JsonToken t, String field)
      throws IOException, InvalidMessageException {
    if (t != JsonToken.START_ARRAY) {
      throw new InvalidMessageException(
          quoted(field) + " must be a list of numbers, got " + describe(t));
    }
    return readVectorFrom(p, p.nextToken(), field);
  }

  /**
   * The rest of a list of finite numbers whose opening bracket was read, {@code first} being the
   * token after it.
   */
  static double[] readVectorFrom(JsonParser p, JsonToken first, String field)
      throws IOException, InvalidMessageException {
    double[] values = new double[16];
    int n = 0;
    for (JsonToken e = first; e != JsonToken.END_ARRAY; e = p.nextToken()) {
      if (e == null) {
        throw new InvalidMessageException("truncated message in " + quoted(field));
      }
      if (n == MAX_FEATURES) {
        throw new InvalidMessageException(
            quoted(field) + " has more than " + MAX_FEATURES + " values");
      }
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n] = readNumber(p, e, field, n);
      n++;
    }
    if (n == 0) {
      throw new InvalidMessageException(quoted(field) + " is an empty list");
    }
    return Arrays.copyOf(values, n);
  }

  /**
   * A plain field name in quotes, as it appears in the JSON; an indexed one ({@code a[1]}) as is.
   */
  private static String quoted(String field) {
    return field.indexOf('[') < 0 ? "\"" + field + "\"" : field;
  }

  static double readNumber(JsonParser p, JsonToken t, String where)
      throws IOException, InvalidMessageException {
    return readNumber(p, t, where, -1);
  }

  /**
   * A finite number; {@code where} and {@code index} (-1 for none) name it in errors as {@code
   * where[index]}, a text built only when there is an error: this runs for every number of every
   * message.
   */
  static double readNumber(JsonParser p, JsonToken t, String where, int index)
      throws IOException, InvalidMessageException {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new InvalidMessageException(at(where, index) + " must be a number, got " + describe(t));
    }
    double v = p.getDoubleValue();
    if (!Double.isFinite(v)) {
      throw new InvalidMessageException(
          at(where, index) + " is not a finite number (" + p.getText() + ")");
    }
    return v;
  }

  private static String at(String where, int index) {
    return index < 0 ? where : where + "[" + index + "]";
  }

  /** A JSON token in words, for error messages ("a list", "a string", "null", …). */
  public static String describe(JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "a list";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case VALUE_EMBEDDED_OBJECT -> "binary data";
      default -> t.asString() == null ? t.name() : t.asString();
    };
  }

  static String firstLine(IOException e) {
    String m =
        String.valueOf(
            e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
    int nl = m.indexOf('\n');
    // Where an unclosed list or object began says nothing to a person without the offsets.
    return (nl < 0 ? m : m.substring(0, nl)).replaceAll(" \\(start marker at \\[.*\\]\\)", "");
  }
}
