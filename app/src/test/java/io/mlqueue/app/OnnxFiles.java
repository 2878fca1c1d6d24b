package io.mlqueue.app;

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

/**
 * ONNX files for the command-line tests, written with the ONNX protobuf classes Tribuo ships (the
 * model module's tests have a fuller set in TinyGraphs).
 */
final class OnnxFiles {
  private OnnxFiles() {}

  /**
   * {@code y = X · weights} in float over features {@code a, b}, declaring itself {@code
   * exported:3}; with {@code outputs} 2 it has a second output, which the worker refuses.
   */
  static Path sum(Path file, float weightA, float weightB, int outputs) throws IOException {
    GraphProto.Builder graph =
        GraphProto.newBuilder()
            .setName("weighted_sum")
            .addInput(value("X", 2))
            .addInitializer(
                TensorProto.newBuilder()
                    .setName("W")
                    .setDataType(DataType.FLOAT_VALUE)
                    .addDims(2)
                    .addDims(1)
                    .addFloatData(weightA)
                    .addFloatData(weightB));
    for (int o = 0; o < outputs; o++) {
      String name = "Y" + o;
      graph.addOutput(value(name, 1));
      graph.addNode(
          NodeProto.newBuilder().setOpType("MatMul").addInput("X").addInput("W").addOutput(name));
    }
    ModelProto model =
        ModelProto.newBuilder()
            .setIrVersion(8)
            .setProducerName("mlqueue-tests")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
            .setGraph(graph)
            .addMetadataProps(meta("mlqueue.name", "exported"))
            .addMetadataProps(meta("mlqueue.version", "3"))
            .addMetadataProps(meta("mlqueue.features", "a,b"))
            .addMetadataProps(meta("mlqueue.target", "y"))
            .build();
    Files.write(file, model.toByteArray());
    return file;
  }

  private static StringStringEntryProto meta(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  /** A float tensor [N, columns], N symbolic as exporters write the batch. */
  private static ValueInfoProto value(String name, int columns) {
    TensorShapeProto shape =
        TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns))
            .build();
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder()
                        .setElemType(DataType.FLOAT_VALUE)
                        .setShape(shape)))
        .build();
  }
}
