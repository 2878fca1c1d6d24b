package io.mlqueue.model.mlflow;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.onnx.OnnxModel;
import java.util.Map;
import java.util.TreeMap;

/**
 * A linear model as an ONNX graph: {@code prediction[N, 1] = MatMul(input[N, F], coefficients[F,
 * 1]) + intercept}, in double precision, with the {@code mlqueue.*} metadata that names its
 * columns.
 *
 * <p>Written with the ONNX protobuf classes that Tribuo ships rather than Tribuo's exporter: that
 * one writes float32 only (its graph builder has float inputs alone), which would move predictions
 * by about 1e-5 relative; in double the exported graph predicts what the linear model does to
 * rounding (1e-12), so a round trip through MLflow changes nothing. Opset 13 and IR version 8,
 * which ONNX Runtime and the ONNX of any recent MLflow read.
 */
final class LinearOnnx {
  static final String INPUT = "input";
  static final String OUTPUT = "prediction";
  private static final int IR_VERSION = 8;
  private static final int OPSET = 13;

  private LinearOnnx() {}

  /** The graph of {@code model}, served as {@code name:version} by whoever loads it. */
  static byte[] of(LinearModel model, String name, String version) {
    int features = model.featureCount();
    TensorProto.Builder weights =
        TensorProto.newBuilder()
            .setName("coefficients")
            .setDataType(TensorProto.DataType.DOUBLE_VALUE)
            .addDims(features)
            .addDims(1);
    for (double c : model.coefficients()) {
      weights.addDoubleData(c);
    }
    TensorProto intercept =
        TensorProto.newBuilder()
            .setName("intercept")
            .setDataType(TensorProto.DataType.DOUBLE_VALUE)
            .addDims(1)
            .addDoubleData(model.intercept())
            .build();
    GraphProto graph =
        GraphProto.newBuilder()
            .setName("mlqueue_linear")
            .addInput(value(INPUT, features))
            .addOutput(value(OUTPUT, 1))
            .addInitializer(weights)
            .addInitializer(intercept)
            .addNode(node("MatMul", INPUT, "coefficients", "product"))
            .addNode(node("Add", "product", "intercept", OUTPUT))
            .build();
    Map<String, String> metadata = new TreeMap<>();
    metadata.put(OnnxModel.NAME_KEY, name);
    metadata.put(OnnxModel.VERSION_KEY, version);
    metadata.put(OnnxModel.FEATURES_KEY, String.join(",", model.featureNames()));
    metadata.put(OnnxModel.TARGET_KEY, model.targetName());
    ModelProto.Builder proto =
        ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName("mlqueue")
            .setDomain("io.mlqueue")
            .setDocString("linear model " + name + ":" + version + " exported by mlqueue")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
            .setGraph(graph);
    metadata.forEach(
        (k, v) ->
            proto.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return proto.build().toByteArray();
  }

  /** A double tensor of shape [N, columns], N named "batch". */
  private static ValueInfoProto value(String name, int columns) {
    TensorShapeProto shape =
        TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns))
            .build();
    TypeProto type =
        TypeProto.newBuilder()
            .setTensorType(
                TypeProto.Tensor.newBuilder()
                    .setElemType(TensorProto.DataType.DOUBLE_VALUE)
                    .setShape(shape))
            .build();
    return ValueInfoProto.newBuilder().setName(name).setType(type).build();
  }

  private static NodeProto node(String op, String a, String b, String out) {
    return NodeProto.newBuilder().setOpType(op).addInput(a).addInput(b).addOutput(out).build();
  }
}
