package io.mlqueue.gateway.v1;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.mlqueue.contract.JsonParsing;
import io.mlqueue.gateway.ApiError;
import io.mlqueue.gateway.JsonBodies;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code POST /v1/predict} body with Jackson's streaming parser straight into {@code
 * double} arrays: no tree, no boxing. Accepts exactly one of
 *
 * <ul>
 *   <li>{@code {"features": [numbers]}} or {@code {"features": {"name": number, …}}}: one instance;
 *   <li>{@code {"instances": [[numbers], …]}} or {@code {"instances": [{"name": number, …}, …]}}: a
 *       batch, rows of one length, objects with one key set.
 * </ul>
 *
 * <p>Every problem is an {@link ApiError} whose message names the field and index, since that is
 * what the client has to fix. Whether named features fit the model is the worker's call: only it
 * knows the model. Thread-safe.
 */
final class PredictionParser {
  /** Values in one instance; the workers refuse more (contract's limit on a feature vector). */
  static final int MAX_FEATURES = 1 << 16;

  private static final String FEATURES = "features";
  private static final String INSTANCES = "instances";
  private static final String SHAPES =
      "send {\"features\": [numbers]} for one instance or {\"instances\": [[numbers], ...]} for"
          + " several";

  private final int maxInstances;

  PredictionParser(int maxInstances) {
    this.maxInstances = maxInstances;
  }

  /**
   * The instances to predict.
   *
   * @param instances the rows, all of one length
   * @param featureNames the column names when the client named its features, else empty
   * @param single whether the client sent one {@code features} (answered with {@code prediction})
   *     rather than {@code instances} (answered with {@code predictions})
   */
  record Parsed(double[][] instances, List<String> featureNames, boolean single) {}

  /** As {@link #parse(JsonParser)}, for a body already in memory (tests). */
  Parsed parse(byte[] body) throws ApiError {
    try (JsonParser p = JsonBodies.FACTORY.createParser(body)) {
      Parsed parsed = parse(p);
      if (p.nextToken() != null) {
        throw ApiError.invalidJson("unexpected content after the JSON object");
      }
      return parsed;
    } catch (JsonProcessingException e) {
      throw ApiError.invalidJson(e);
    } catch (IOException e) {
      throw new IllegalStateException("reading a byte array failed", e);
    }
  }

  /**
   * Parses the one JSON object of a body; the caller checks that nothing follows it.
   *
   * @throws ApiError 400 for a body of the wrong shape
   * @throws IOException for broken JSON, or if reading the body fails
   */
  Parsed parse(JsonParser p) throws ApiError, IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw ApiError.invalidRequest("the request body is empty; " + SHAPES);
    }
    if (t != JsonToken.START_OBJECT) {
      throw ApiError.invalidRequest(
          "the request body must be a JSON object, got " + JsonParsing.describe(t) + "; " + SHAPES);
    }
    Parsed parsed = null;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      boolean features = FEATURES.equals(field);
      if (!features && !INSTANCES.equals(field)) {
        throw ApiError.invalidRequest("unknown field \"" + abbreviate(field) + "\"; " + SHAPES);
      }
      if (parsed != null) {
        throw ApiError.invalidRequest(
            parsed.single() == features
                ? "field \"" + field + "\" appears twice"
                : "send either \"features\" or \"instances\", not both");
      }
      parsed = features ? readFeatures(p, value) : readInstances(p, value);
    }
    if (parsed == null) {
      throw ApiError.invalidRequest("missing field \"features\" or \"instances\"; " + SHAPES);
    }
    return parsed;
  }

  // ---- one instance ----

  private static Parsed readFeatures(JsonParser p, JsonToken t) throws ApiError, IOException {
    if (t == JsonToken.START_ARRAY) {
      double[] row = readList(p, -1, -1);
      if (row.length == 0) {
        throw ApiError.invalidRequest("\"features\" is an empty list; send at least one number");
      }
      return new Parsed(new double[][] {row}, List.of(), true);
    }
    if (t == JsonToken.START_OBJECT) {
      Names names = new Names();
      double[] row = names.readFirst(p, -1);
      return new Parsed(new double[][] {row}, names.list, true);
    }
    throw ApiError.invalidRequest(
        "\"features\" must be a list of numbers or an object of feature names to numbers, got "
            + JsonParsing.describe(t));
  }

  // ---- a batch ----

  private Parsed readInstances(JsonParser p, JsonToken t) throws ApiError, IOException {
    if (t != JsonToken.START_ARRAY) {
      throw ApiError.invalidRequest(
          "\"instances\" must be a list of instances (lists of numbers or objects), got "
              + JsonParsing.describe(t));
    }
    JsonToken first = p.nextToken();
    if (first == JsonToken.END_ARRAY) {
      throw ApiError.invalidRequest("\"instances\" is an empty list; send at least one instance");
    }
    if (first == JsonToken.START_ARRAY) {
      return readPositionalRows(p);
    }
    if (first == JsonToken.START_OBJECT) {
      return readNamedRows(p);
    }
    throw ApiError.invalidRequest(
        "instances[0] must be a list of numbers or an object of feature names to numbers, got "
            + JsonParsing.describe(first)
            + " (for one instance, send {\"features\": [numbers]})");
  }

  private Parsed readPositionalRows(JsonParser p) throws ApiError, IOException {
    List<double[]> rows = new ArrayList<>();
    double[] row0 = readList(p, 0, -1);
    if (row0.length == 0) {
      throw ApiError.invalidRequest("instances[0] is an empty list; send at least one number");
    }
    rows.add(row0);
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      int i = rows.size();
      checkCount(i);
      if (t != JsonToken.START_ARRAY) {
        throw ApiError.invalidRequest(
            "instances["
                + i
                + "] must be a list of numbers like instances[0], got "
                + JsonParsing.describe(t));
      }
      rows.add(readList(p, i, row0.length));
    }
    return new Parsed(rows.toArray(double[][]::new), List.of(), false);
  }

  private Parsed readNamedRows(JsonParser p) throws ApiError, IOException {
    List<double[]> rows = new ArrayList<>();
    Names names = new Names();
    rows.add(names.readFirst(p, 0));
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      int i = rows.size();
      checkCount(i);
      if (t != JsonToken.START_OBJECT) {
        throw ApiError.invalidRequest(
            "instances["
                + i
                + "] must be an object of feature names to numbers like instances[0],"
                + " got "
                + JsonParsing.describe(t));
      }
      rows.add(names.readNext(p, i));
    }
    return new Parsed(rows.toArray(double[][]::new), names.list, false);
  }

  private void checkCount(int index) throws ApiError {
    // Fail on the first instance too many: no point reading (or holding) the rest.
    if (index >= maxInstances) {
      throw new ApiError(
          400,
          ApiError.TOO_MANY_INSTANCES,
          "more than "
              + maxInstances
              + " instances in one request; this gateway takes at most "
              + maxInstances
              + ", split the batch");
    }
  }

  // ---- rows ----

  /**
   * Reads the numbers of a list whose {@code START_ARRAY} is current.
   *
   * @param instance the row's index in {@code instances}, or -1 for {@code features}
   * @param width the length the row must have, or -1 for any
   */
  private static double[] readList(JsonParser p, int instance, int width)
      throws ApiError, IOException {
    double[] values = new double[width < 0 ? 16 : width];
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (n == values.length) {
        if (width >= 0) {
          throw ApiError.invalidRequest(raggedMessage(p, instance, width));
        }
        if (n == MAX_FEATURES) {
          throw ApiError.invalidRequest(
              where(instance) + " has more than " + MAX_FEATURES + " values");
        }
        values = Arrays.copyOf(values, Math.min(n * 2, MAX_FEATURES));
      }
      values[n] = readNumber(p, t, instance, n, null);
      n++;
    }
    if (width >= 0 && n != width) {
      throw ApiError.invalidRequest(
          "instances[" + instance + "] has " + n + " values, instances[0] has " + width);
    }
    return n == values.length ? values : Arrays.copyOf(values, n);
  }

  /** Counts the rest of an over-long row, so the message can say how long it is. */
  private static String raggedMessage(JsonParser p, int instance, int width) throws IOException {
    int n = width;
    JsonToken t = p.currentToken();
    while (t != null && t != JsonToken.END_ARRAY) {
      p.skipChildren();
      n++;
      t = p.nextToken();
    }
    return "instances[" + instance + "] has " + n + " values, instances[0] has " + width;
  }

  private static double readNumber(JsonParser p, JsonToken t, int instance, int index, String name)
      throws ApiError, IOException {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw ApiError.invalidRequest(
          where(instance, index, name) + " must be a number, got " + JsonParsing.describe(t));
    }
    double v = p.getDoubleValue();
    if (!Double.isFinite(v)) {
      // NaN and Infinity are read (the factory allows them) only to be refused by name here.
      throw ApiError.invalidRequest(
          where(instance, index, name)
              + (p.isNaN()
                  ? " is " + p.getText() + "; every feature must be a finite number"
                  : " is "
                      + abbreviate(p.getText())
                      + ", too large for a double; every feature"
                      + " must be a finite number"));
    }
    return v;
  }

  /** The column names of named instances, fixed by the first object, in its key order. */
  private static final class Names {
    final List<String> list = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();

    double[] readFirst(JsonParser p, int instance) throws ApiError, IOException {
      double[] values = new double[16];
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        int n = list.size();
        if (index.putIfAbsent(name, n) != null) {
          throw ApiError.invalidRequest(
              where(instance) + " names feature '" + abbreviate(name) + "' twice");
        }
        if (n == MAX_FEATURES) {
          throw ApiError.invalidRequest(
              where(instance) + " has more than " + MAX_FEATURES + " features");
        }
        if (n == values.length) {
          values = Arrays.copyOf(values, n * 2);
        }
        values[n] = readNumber(p, p.nextToken(), instance, n, name);
        list.add(name);
      }
      if (list.isEmpty()) {
        throw ApiError.invalidRequest(
            where(instance) + " is an empty object; name at least one feature");
      }
      return Arrays.copyOf(values, list.size());
    }

    double[] readNext(JsonParser p, int instance) throws ApiError, IOException {
      double[] values = new double[list.size()];
      boolean[] seen = new boolean[list.size()];
      int count = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        Integer column = index.get(name);
        if (column == null) {
          throw ApiError.invalidRequest(
              "instances["
                  + instance
                  + "] has feature '"
                  + abbreviate(name)
                  + "' that instances[0] lacks;"
                  + " every instance must name the same features");
        }
        if (seen[column]) {
          throw ApiError.invalidRequest(
              "instances[" + instance + "] names feature '" + abbreviate(name) + "' twice");
        }
        seen[column] = true;
        count++;
        values[column] = readNumber(p, p.nextToken(), instance, column, name);
      }
      if (count < list.size()) {
        int missing = 0;
        while (seen[missing]) {
          missing++;
        }
        throw ApiError.invalidRequest(
            "instances["
                + instance
                + "] lacks feature '"
                + abbreviate(list.get(missing))
                + "' that instances[0] has; every instance must name the same features");
      }
      return values;
    }
  }

  // ---- messages ----

  private static String where(int instance) {
    return instance < 0 ? "\"features\"" : "instances[" + instance + "]";
  }

  private static String where(int instance, int index, String name) {
    String base = instance < 0 ? "features" : "instances[" + instance + "]";
    return name == null ? base + "[" + index + "]" : base + "." + abbreviate(name);
  }

  /** Keeps what the client sent (a name, a number's literal) short enough to quote. */
  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }
}
