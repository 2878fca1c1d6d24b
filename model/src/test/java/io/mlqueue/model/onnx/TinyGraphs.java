package io.mlqueue.model.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Small ONNX graphs written with the ONNX protobuf classes that Tribuo ships, for the shapes and
 * types a user's file may have. The workhorse is {@code Y = MatMul(X, W)}: with W all ones, each
 * row's prediction is the sum of its features. Public for the registry's tests, which register and
 * hot-swap such files.
 */
public final class TinyGraphs {

  /** A dimension ONNX leaves open (a named, symbolic one, as exporters write the batch). */
  public static final long DYNAMIC = -1;

  private TinyGraphs() {}

  /** {@code Y[N, outputs] = X[N, features] · ones[features, outputs]} in the given type. */
  public static ModelProto rowSum(DataType type, long batch, int features, int outputs) {
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("row_sum")
            .addInput(value("X", type, batch, features))
            .addOutput(value("Y", type, batch, outputs))
            .addInitializer(ones("W", type, features, outputs))
            .addNode(node("MatMul", "X", "W", "Y"))
            .build();
    return model(graph);
  }

  /** {@code Y[N] = ReduceSum(X[N, features], axis 1)}: an output of rank 1. */
  static ModelProto rowSumRankOne(int features) {
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("row_sum_rank_one")
            .addInput(value("X", DataType.FLOAT, DYNAMIC, features))
            .addOutput(value("Y", DataType.FLOAT, DYNAMIC))
            .addInitializer(
                TensorProto.newBuilder()
                    .setName("axes")
                    .setDataType(DataType.INT64_VALUE)
                    .addDims(1)
                    .addInt64Data(1))
            .addNode(
                NodeProto.newBuilder()
                    .setOpType("ReduceSum")
                    .addInput("X")
                    .addInput("axes")
                    .addOutput("Y")
                    .addAttribute(
                        AttributeProto.newBuilder()
                            .setName("keepdims")
                            .setType(AttributeProto.AttributeType.INT)
                            .setI(0)))
            .build();
    return model(graph);
  }

  /**
   * {@code Y[N, 1] = X[N, F] · weights + bias} in float: a linear regression as exporters write it,
   * F the number of weights.
   */
  public static ModelProto linear(double[] weights, double bias) {
    TensorProto.Builder w = TensorProto.newBuilder().setName("W").setDataType(DataType.FLOAT_VALUE);
    w.addDims(weights.length).addDims(1);
    for (double x : weights) {
      w.addFloatData((float) x);
    }
    TensorProto b =
        TensorProto.newBuilder()
            .setName("B")
            .setDataType(DataType.FLOAT_VALUE)
            .addDims(1)
            .addFloatData((float) bias)
            .build();
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("linear")
            .addInput(value("X", DataType.FLOAT, DYNAMIC, weights.length))
            .addOutput(value("Y", DataType.FLOAT, DYNAMIC, 1))
            .addInitializer(w)
            .addInitializer(b)
            .addNode(node("MatMul", "X", "W", "XW"))
            .addNode(node("Add", "XW", "B", "Y"))
            .build();
    return model(graph);
  }

  /** {@code Y = A + B}: two inputs. */
  public static ModelProto twoInputs(int features) {
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("two_inputs")
            .addInput(value("A", DataType.FLOAT, DYNAMIC, features))
            .addInput(value("B", DataType.FLOAT, DYNAMIC, features))
            .addOutput(value("Y", DataType.FLOAT, DYNAMIC, features))
            .addNode(node("Add", "A", "B", "Y"))
            .build();
    return model(graph);
  }

  /** {@code Y = X · W} and {@code Z = X · W}: two outputs. */
  static ModelProto twoOutputs(int features) {
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("two_outputs")
            .addInput(value("X", DataType.FLOAT, DYNAMIC, features))
            .addOutput(value("Y", DataType.FLOAT, DYNAMIC, 1))
            .addOutput(value("Z", DataType.FLOAT, DYNAMIC, 1))
            .addInitializer(ones("W", DataType.FLOAT, features, 1))
            .addNode(node("MatMul", "X", "W", "Y"))
            .addNode(node("MatMul", "X", "W", "Z"))
            .build();
    return model(graph);
  }

  /** {@code Y[N, T, 1] = X[N, T, features] · W}: a sequence model's rank-3 input. */
  static ModelProto rankThreeInput(int features) {
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("rank_three")
            .addInput(value("X", DataType.FLOAT, DYNAMIC, 5, features))
            .addOutput(value("Y", DataType.FLOAT, DYNAMIC, 5, 1))
            .addInitializer(ones("W", DataType.FLOAT, features, 1))
            .addNode(node("MatMul", "X", "W", "Y"))
            .build();
    return model(graph);
  }

  /** {@code model} with {@code metadata} added as custom metadata properties. */
  public static ModelProto withMetadata(ModelProto model, Map<String, String> metadata) {
    ModelProto.Builder b = model.toBuilder();
    metadata.forEach(
        (k, v) -> b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return b.build();
  }

  public static Path write(ModelProto model, Path file) throws IOException {
    Files.write(file, model.toByteArray());
    return file;
  }

  private static ModelProto model(GraphProto graph) {
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("mlqueue-tests")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
        .setGraph(graph)
        .build();
  }

  private static NodeProto node(String op, String a, String b, String out) {
    return NodeProto.newBuilder().setOpType(op).addInput(a).addInput(b).addOutput(out).build();
  }

  /** A tensor value; {@link #DYNAMIC} dimensions get a symbolic name, as exporters write them. */
  private static ValueInfoProto value(String name, DataType type, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(
          d == DYNAMIC
              ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
              : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }

  private static TensorProto ones(String name, DataType type, int rows, int cols) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
    t.addDims(rows).addDims(cols);
    for (int i = 0; i < rows * cols; i++) {
      switch (type) {
        case FLOAT -> t.addFloatData(1f);
        case DOUBLE -> t.addDoubleData(1d);
        case INT64 -> t.addInt64Data(1L);
        default -> throw new IllegalArgumentException("no ones for " + type);
      }
    }
    return t.build();
  }
}
