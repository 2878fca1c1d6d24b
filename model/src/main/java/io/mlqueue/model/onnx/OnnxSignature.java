package io.mlqueue.model.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.mlqueue.model.ModelFormatException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one input and one output of a graph that {@link OnnxModel} can serve: a batch of feature rows
 * in, one number per row out. Checked once at load, so that predicting needs no further checks.
 *
 * @param inputName the graph's input
 * @param inputType {@link OnnxJavaType#FLOAT} or {@link OnnxJavaType#DOUBLE}
 * @param fixedBatch rows per run when the graph fixes its batch dimension, else {@code -1}
 * @param featureCount columns of the input
 * @param outputName the graph's output
 * @param outputType {@link OnnxJavaType#FLOAT} or {@link OnnxJavaType#DOUBLE}
 */
record OnnxSignature(
    String inputName,
    OnnxJavaType inputType,
    long fixedBatch,
    int featureCount,
    String outputName,
    OnnxJavaType outputType) {

  /** ONNX Runtime reports a symbolic or unknown dimension as -1. */
  private static final long DYNAMIC = -1;

  /**
   * Reads and checks the signature of {@code session}'s graph.
   *
   * @param source the file, for messages
   * @throws ModelFormatException naming what the graph has when it is not one served here
   */
  static OnnxSignature of(OrtSession session, String source) throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    if (inputs.size() != 1 || outputs.size() != 1) {
      throw refuse(
          source,
          ("needs exactly one input and one output, but the graph has %d input(s) %s"
                  + " and %d output(s) %s")
              .formatted(inputs.size(), describe(inputs), outputs.size(), describe(outputs)));
    }
    NodeInfo input = inputs.values().iterator().next();
    NodeInfo output = outputs.values().iterator().next();
    TensorInfo in = tensor(source, "input", input);
    TensorInfo out = tensor(source, "output", output);
    long[] inShape = in.getShape();
    if (inShape.length != 2 || inShape[1] < 1 || inShape[0] == 0) {
      throw refuse(
          source,
          "input '%s' must have shape [N, F] (N rows or dynamic, F > 0 features), but it is %s"
              .formatted(input.getName(), shape(inShape)));
    }
    numeric(source, "input", input.getName(), in);
    long batch = inShape[0];
    long[] outShape = out.getShape();
    boolean rowsMatch = outShape.length >= 1 && (outShape[0] == DYNAMIC || outShape[0] == batch);
    boolean oneColumn = outShape.length == 1 || (outShape.length == 2 && outShape[1] <= 1);
    if (!rowsMatch || !oneColumn || (outShape.length == 2 && outShape[1] == 0)) {
      throw refuse(
          source,
          "output '%s' must have shape [N, 1] or [N] (one number per input row), but it is %s"
                  .formatted(output.getName(), shape(outShape))
              + " for input shape %s".formatted(shape(inShape)));
    }
    numeric(source, "output", output.getName(), out);
    if (inShape[1] > Integer.MAX_VALUE) {
      throw refuse(source, "input '%s' has %d features".formatted(input.getName(), inShape[1]));
    }
    return new OnnxSignature(
        input.getName(), in.type, batch, (int) inShape[1], output.getName(), out.type);
  }

  private static TensorInfo tensor(String source, String role, NodeInfo node) {
    if (node.getInfo() instanceof TensorInfo t) {
      return t;
    }
    throw refuse(
        source,
        "%s '%s' must be a tensor, but it is %s".formatted(role, node.getName(), node.getInfo()));
  }

  private static void numeric(String source, String role, String name, TensorInfo t) {
    if (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.DOUBLE) {
      throw refuse(
          source,
          "%s '%s' must hold float or double, but holds %s".formatted(role, name, elementType(t)));
    }
  }

  /** {@code int64} rather than {@code ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64}. */
  private static String elementType(TensorInfo t) {
    return t.onnxType.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "").toLowerCase(Locale.ROOT);
  }

  private static String describe(Map<String, NodeInfo> nodes) {
    return nodes.values().stream()
        .map(n -> n.getName() + (n.getInfo() instanceof TensorInfo t ? shape(t.getShape()) : ""))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /** A shape as {@code [?, 10]}, with {@code ?} for a dynamic dimension. */
  static String shape(long[] dims) {
    return Arrays.stream(dims)
        .mapToObj(d -> d == DYNAMIC ? "?" : Long.toString(d))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static ModelFormatException refuse(String source, String why) {
    return new ModelFormatException("ONNX model " + source + " cannot be served: " + why);
  }

  /** Whether every run must carry exactly {@link #fixedBatch} rows. */
  boolean batchIsFixed() {
    return fixedBatch != DYNAMIC;
  }
}
