package io.mlqueue.gateway.v2;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.mlqueue.contract.JsonParsing;
import io.mlqueue.gateway.ApiError;
import io.mlqueue.gateway.JsonBodies;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an Open Inference Protocol inference request ({@code {"id", "parameters", "inputs",
 * "outputs"}}) with Jackson's streaming parser. The instances come in one of two forms:
 *
 * <ul>
 *   <li>one tensor of shape {@code [N, F]}: N rows of the model's F features in its order, its
 *       {@code data} flat in row-major order or nested as {@code [[…], …]}; its name is free;
 *   <li>F tensors of shape {@code [N]} (or {@code [N, 1]}), one per feature, named after it, in any
 *       order: the columnar form of MLServer's pandas codec. The worker puts them in its model's
 *       order, or names the feature that is unknown or missing.
 * </ul>
 *
 * <p>Datatype FP32 or FP64; numbers are read at double precision as written. Anything else (another
 * datatype, BYTES, a shape that does not fit the data, a non-finite number) is an {@link ApiError}
 * naming the input and what is wrong. Unknown fields are ignored, as the protocol's schema allows.
 * Thread-safe.
 */
final class InferenceRequestParser {
  /** Values in one instance; the workers refuse more (the contract's limit on a feature vector). */
  static final int MAX_FEATURES = 1 << 16;

  private static final int MAX_RANK = 8;
  private static final Set<String> OTHER_TYPES =
      Set.of(
          "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16",
          "BF16");
  private static final String FORMS =
      "send one FP64 (or FP32) tensor of shape [N, F], or one tensor of shape [N] per feature";

  private final int maxInstances;

  InferenceRequestParser(int maxInstances) {
    this.maxInstances = maxInstances;
  }

  /** One input tensor as sent. */
  private static final class Tensor {
    final int index;
    String name;
    String datatype;
    long[] shape;
    double[] data;
    int count;
    int[] nesting; // observed length per level of nested data; null if flat

    Tensor(int index) {
      this.index = index;
    }

    String label() {
      return name == null ? "inputs[" + index + "]" : "input '" + abbreviate(name) + "'";
    }

    long elements() {
      long n = 1;
      for (long d : shape) {
        try {
          n = Math.multiplyExact(n, d);
        } catch (ArithmeticException e) {
          return Long.MAX_VALUE; // more than any body holds: refused as a mismatch
        }
      }
      return n;
    }
  }

  /**
   * Parses the one JSON object of a body; the caller checks that nothing follows it.
   *
   * @throws ApiError 400 naming what is wrong
   * @throws IOException for broken JSON, or if reading the body fails
   */
  InferenceRequest parse(JsonParser p) throws ApiError, IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw ApiError.invalidRequest("the request body is empty; send an inference request");
    }
    if (t != JsonToken.START_OBJECT) {
      throw ApiError.invalidRequest(
          "the request body must be a JSON object, got " + JsonParsing.describe(t));
    }
    String id = null;
    String parameters = null;
    List<Tensor> inputs = null;
    List<String> outputs = List.of();
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "id" -> {
          if (value != JsonToken.VALUE_STRING) {
            throw ApiError.invalidRequest(
                "\"id\" must be a string, got " + JsonParsing.describe(value));
          }
          id = p.getText();
        }
        case "parameters" -> parameters = copyObject(p, value, "\"parameters\"");
        case "inputs" -> inputs = readInputs(p, value);
        case "outputs" -> outputs = readOutputs(p, value);
        default -> p.skipChildren();
      }
    }
    if (inputs == null) {
      throw ApiError.invalidRequest("missing field \"inputs\"; " + FORMS);
    }
    return rows(id, parameters, inputs, outputs);
  }

  // ---- inputs ----

  private List<Tensor> readInputs(JsonParser p, JsonToken t) throws ApiError, IOException {
    if (t != JsonToken.START_ARRAY) {
      throw ApiError.invalidRequest(
          "\"inputs\" must be a list of tensors, got " + JsonParsing.describe(t));
    }
    List<Tensor> inputs = new ArrayList<>();
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (inputs.size() == MAX_FEATURES) {
        throw ApiError.invalidRequest("more than " + MAX_FEATURES + " inputs");
      }
      Tensor tensor = new Tensor(inputs.size());
      if (t != JsonToken.START_OBJECT) {
        throw ApiError.invalidRequest(
            tensor.label() + " must be a tensor object, got " + JsonParsing.describe(t));
      }
      readTensor(p, tensor);
      inputs.add(tensor);
    }
    if (inputs.isEmpty()) {
      throw ApiError.invalidRequest("\"inputs\" is an empty list; " + FORMS);
    }
    return inputs;
  }

  private void readTensor(JsonParser p, Tensor tensor) throws ApiError, IOException {
    ApiError dataProblem = null; // reported after the datatype, which may come later
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "name" -> {
          if (value != JsonToken.VALUE_STRING) {
            throw ApiError.invalidRequest(
                tensor.label() + ": \"name\" must be a string, got " + JsonParsing.describe(value));
          }
          tensor.name = p.getText();
        }
        case "datatype" -> {
          if (value != JsonToken.VALUE_STRING) {
            throw ApiError.invalidRequest(
                tensor.label()
                    + ": \"datatype\" must be a string, got "
                    + JsonParsing.describe(value));
          }
          tensor.datatype = p.getText();
        }
        case "shape" -> tensor.shape = readShape(p, value, tensor);
        case "data" -> dataProblem = readData(p, value, tensor);
        default -> p.skipChildren();
      }
    }
    for (String required : List.of("name", "shape", "datatype", "data")) {
      boolean missing =
          switch (required) {
            case "name" -> tensor.name == null;
            case "shape" -> tensor.shape == null;
            case "datatype" -> tensor.datatype == null;
            default -> tensor.data == null && dataProblem == null;
          };
      if (missing) {
        throw ApiError.invalidRequest(tensor.label() + " has no \"" + required + "\"");
      }
    }
    checkDatatype(tensor);
    if (dataProblem != null) {
      throw dataProblem;
    }
    checkShape(tensor);
  }

  private static long[] readShape(JsonParser p, JsonToken t, Tensor tensor)
      throws ApiError, IOException {
    if (t != JsonToken.START_ARRAY) {
      throw ApiError.invalidRequest(tensor.label() + ": \"shape\" must be a list of dimensions");
    }
    long[] shape = new long[MAX_RANK];
    int rank = 0;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
        throw ApiError.invalidRequest(
            tensor.label() + ": \"shape\" must be a list of non-negative integers");
      }
      if (rank == MAX_RANK) {
        throw ApiError.invalidRequest(tensor.label() + ": \"shape\" has more than 8 dimensions");
      }
      shape[rank++] = p.getLongValue();
    }
    return Arrays.copyOf(shape, rank);
  }

  private static void checkDatatype(Tensor tensor) throws ApiError {
    String type = tensor.datatype;
    if (type.equals("FP64") || type.equals("FP32")) {
      return;
    }
    String known =
        type.equals("BYTES") || OTHER_TYPES.contains(type)
            ? "; the model reads numbers as FP64 or FP32"
            : ", not a datatype of the protocol; send FP64 or FP32";
    throw ApiError.invalidRequest(tensor.label() + " has datatype " + abbreviate(type) + known);
  }

  /**
   * Reads {@code data} flat or nested; returns a problem with its values to report once the
   * datatype is known to be numeric (a BYTES tensor is refused for its datatype, not its strings).
   */
  private ApiError readData(JsonParser p, JsonToken t, Tensor tensor) throws ApiError, IOException {
    if (t != JsonToken.START_ARRAY) {
      p.skipChildren();
      return ApiError.invalidRequest(tensor.label() + ": \"data\" must be a list of numbers");
    }
    tensor.data = new double[16];
    int[] lengths = new int[MAX_RANK + 1];
    Arrays.fill(lengths, -1);
    int[] leafDepth = {-1};
    ApiError problem = readLevel(p, tensor, 0, lengths, leafDepth);
    if (problem == null && leafDepth[0] > 0) {
      tensor.nesting = Arrays.copyOf(lengths, leafDepth[0] + 1);
    }
    return problem;
  }

  private ApiError readLevel(JsonParser p, Tensor tensor, int depth, int[] lengths, int[] leafDepth)
      throws ApiError, IOException {
    if (depth > MAX_RANK) {
      p.skipChildren();
      return ApiError.invalidRequest(tensor.label() + ": \"data\" is nested more than 8 deep");
    }
    int count = 0;
    ApiError problem = null;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (problem != null) {
        p.skipChildren();
        continue;
      }
      if (t == JsonToken.START_ARRAY) {
        if (leafDepth[0] >= 0 && leafDepth[0] <= depth) {
          problem = ragged(tensor);
          p.skipChildren();
        } else {
          problem = readLevel(p, tensor, depth + 1, lengths, leafDepth);
        }
      } else {
        if (leafDepth[0] < 0) {
          leafDepth[0] = depth;
        } else if (leafDepth[0] != depth) {
          problem = ragged(tensor);
          continue;
        }
        problem = readValue(p, t, tensor);
      }
      count++;
    }
    if (problem == null) {
      if (lengths[depth] < 0) {
        lengths[depth] = count;
      } else if (lengths[depth] != count) {
        problem = ragged(tensor);
      }
    }
    return problem;
  }

  private ApiError readValue(JsonParser p, JsonToken t, Tensor tensor) throws IOException {
    int i = tensor.count;
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      p.skipChildren();
      return ApiError.invalidRequest(
          tensor.label() + ": data[" + i + "] must be a number, got " + JsonParsing.describe(t));
    }
    double v = p.getDoubleValue();
    if (!Double.isFinite(v)) {
      // NaN and Infinity are read (the factory allows them) only to be refused by name here.
      return ApiError.invalidRequest(
          tensor.label()
              + ": data["
              + i
              + "] is "
              + abbreviate(p.getText())
              + "; every feature must be a finite number");
    }
    if (i == tensor.data.length) {
      tensor.data = Arrays.copyOf(tensor.data, i * 2);
    }
    tensor.data[i] = v;
    tensor.count = i + 1;
    return null;
  }

  private static ApiError ragged(Tensor tensor) {
    return ApiError.invalidRequest(
        tensor.label()
            + ": \"data\" nested unevenly; give it flat in row-major order, or nested"
            + " exactly as its shape");
  }

  private static void checkShape(Tensor tensor) throws ApiError {
    long elements = tensor.elements();
    if (tensor.nesting == null) {
      if (elements != tensor.count) {
        throw ApiError.invalidRequest(
            tensor.label()
                + " has "
                + tensor.count
                + " values for shape "
                + Arrays.toString(tensor.shape)
                + ", which holds "
                + elements);
      }
      return;
    }
    long[] nested = Arrays.stream(tensor.nesting).asLongStream().toArray();
    if (!Arrays.equals(nested, tensor.shape)) {
      throw ApiError.invalidRequest(
          tensor.label()
              + ": \"data\" is nested as "
              + Arrays.toString(nested)
              + " but its shape is "
              + Arrays.toString(tensor.shape)
              + "; nest it as its shape, or give it flat");
    }
  }

  // ---- rows ----

  private InferenceRequest rows(
      String id, String parameters, List<Tensor> inputs, List<String> outputs) throws ApiError {
    if (inputs.size() == 1 && inputs.get(0).shape.length == 2) {
      Tensor matrix = inputs.get(0);
      int n = instances(matrix.shape[0], matrix);
      long f = matrix.shape[1];
      if (f == 0 || f > MAX_FEATURES) {
        throw ApiError.invalidRequest(
            matrix.label()
                + " has shape "
                + Arrays.toString(matrix.shape)
                + "; an instance has 1 to "
                + MAX_FEATURES
                + " features");
      }
      int width = (int) f;
      double[][] rows = new double[n][];
      for (int r = 0; r < n; r++) {
        rows[r] = Arrays.copyOfRange(matrix.data, r * width, (r + 1) * width);
      }
      return new InferenceRequest(id, parameters, rows, List.of(), outputs);
    }
    long n = -1;
    Set<String> names = new HashSet<>();
    for (Tensor column : inputs) {
      boolean isColumn =
          column.shape.length == 1 || (column.shape.length == 2 && column.shape[1] == 1);
      if (!isColumn) {
        throw ApiError.invalidRequest(
            column.label()
                + " has shape "
                + Arrays.toString(column.shape)
                + "; "
                + FORMS
                + (inputs.size() > 1
                    ? " (with several inputs, each is one feature's column)"
                    : ""));
      }
      if (n >= 0 && column.shape[0] != n) {
        throw ApiError.invalidRequest(
            column.label()
                + " has "
                + column.shape[0]
                + " rows, "
                + inputs.get(0).label()
                + " has "
                + n
                + "; every feature's column must be as long");
      }
      n = column.shape[0];
      if (!names.add(column.name)) {
        throw ApiError.invalidRequest(
            "two inputs are named '" + abbreviate(column.name) + "'; name each feature once");
      }
    }
    int count = instances(n, inputs.get(0));
    double[][] rows = new double[count][inputs.size()];
    for (int c = 0; c < inputs.size(); c++) {
      double[] column = inputs.get(c).data;
      for (int r = 0; r < count; r++) {
        rows[r][c] = column[r];
      }
    }
    List<String> featureNames = inputs.stream().map(in -> in.name).toList();
    return new InferenceRequest(id, parameters, rows, featureNames, outputs);
  }

  private int instances(long n, Tensor tensor) throws ApiError {
    if (n == 0) {
      throw ApiError.invalidRequest(
          tensor.label()
              + " has shape "
              + Arrays.toString(tensor.shape)
              + ": no instances; send at least one");
    }
    if (n > maxInstances) {
      throw new ApiError(
          400,
          ApiError.TOO_MANY_INSTANCES,
          n
              + " instances in one request; this gateway takes at most "
              + maxInstances
              + ", split the batch");
    }
    return (int) n;
  }

  // ---- outputs ----

  private static List<String> readOutputs(JsonParser p, JsonToken t) throws ApiError, IOException {
    if (t != JsonToken.START_ARRAY) {
      throw ApiError.invalidRequest(
          "\"outputs\" must be a list of {\"name\": …}, got " + JsonParsing.describe(t));
    }
    List<String> names = new ArrayList<>();
    int i = 0;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        throw ApiError.invalidRequest("outputs[" + i + "] must be an object with a \"name\"");
      }
      String name = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("name") && value == JsonToken.VALUE_STRING) {
          name = p.getText();
        } else {
          p.skipChildren(); // "parameters": none of the protocol's extensions is supported
        }
      }
      if (name == null) {
        throw ApiError.invalidRequest("outputs[" + i + "] has no \"name\" string");
      }
      if (names.size() < MAX_FEATURES) {
        names.add(name);
      }
      i++;
    }
    return names;
  }

  // ---- helpers ----

  /** The object whose start is current, as compact JSON text, to echo it. */
  private static String copyObject(JsonParser p, JsonToken t, String what)
      throws ApiError, IOException {
    if (t != JsonToken.START_OBJECT) {
      throw ApiError.invalidRequest(what + " must be an object, got " + JsonParsing.describe(t));
    }
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JsonBodies.FACTORY.createGenerator(out)) {
      g.copyCurrentStructure(p);
    }
    return out.toString();
  }

  static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }
}
