package io.mlqueue.gateway.v2;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlqueue.contract.ModelDescription;
import io.mlqueue.gateway.JsonBodies;
import java.io.IOException;
import java.util.List;

/** The bodies of the Open Inference Protocol's answers, as its REST specification names them. */
final class V2Bodies {
  /** What the model's tensors hold: predictions are computed and sent as doubles. */
  static final String FP64 = "FP64";

  private V2Bodies() {}

  /**
   * {@code $inference_response}: one FP64 output of shape {@code [N, 1]}, named after the target.
   */
  static byte[] inference(
      ModelRef model, String id, String parameters, String target, double[] predictions) {
    return JsonBodies.write(
        160 + 24 * predictions.length,
        g -> {
          g.writeStartObject();
          g.writeStringField("model_name", model.name());
          g.writeStringField("model_version", model.version());
          if (id != null) {
            g.writeStringField("id", id);
          }
          if (parameters != null) {
            g.writeFieldName("parameters");
            g.writeRawValue(parameters);
          }
          g.writeArrayFieldStart("outputs");
          g.writeStartObject();
          g.writeStringField("name", target);
          g.writeStringField("datatype", FP64);
          shape(g, predictions.length, 1);
          g.writeFieldName("data");
          g.writeArray(predictions, 0, predictions.length);
          g.writeEndObject();
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /**
   * {@code $metadata_model_response}: the inputs as one FP64 tensor of shape {@code [-1]} per
   * feature, in the model's order (one {@code [-1, F]} tensor in that order is read as well), and
   * the target as an FP64 output of shape {@code [-1, 1]}.
   */
  static byte[] modelMetadata(ModelDescription model, List<String> versions) {
    return JsonBodies.write(
        256 + 48 * model.featureNames().size(),
        g -> {
          g.writeStartObject();
          g.writeStringField("name", model.name());
          g.writeArrayFieldStart("versions");
          for (String v : versions) {
            g.writeString(v);
          }
          g.writeEndArray();
          g.writeStringField("platform", model.platform());
          g.writeArrayFieldStart("inputs");
          for (String feature : model.featureNames()) {
            tensor(g, feature, -1);
          }
          g.writeEndArray();
          g.writeArrayFieldStart("outputs");
          tensor(g, model.target(), -1, 1);
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** {@code $metadata_server_response}. */
  static byte[] serverMetadata(String name, String version) {
    return JsonBodies.write(
        96,
        g -> {
          g.writeStartObject();
          g.writeStringField("name", name);
          g.writeStringField("version", version);
          g.writeArrayFieldStart("extensions");
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private static void tensor(JsonGenerator g, String name, long... shape) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeStringField("datatype", FP64);
    g.writeFieldName("shape");
    g.writeStartArray();
    for (long d : shape) {
      g.writeNumber(d);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void shape(JsonGenerator g, long... dims) throws IOException {
    g.writeFieldName("shape");
    g.writeStartArray();
    for (long d : dims) {
      g.writeNumber(d);
    }
    g.writeEndArray();
  }
}
