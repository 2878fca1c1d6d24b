package io.mlqueue.client;

import io.mlqueue.client.api.V1Api;
import io.mlqueue.client.api.V2Api;
import io.mlqueue.client.model.InferenceRequest;
import io.mlqueue.client.model.InferenceResponse;
import io.mlqueue.client.model.MetadataModelResponse;
import io.mlqueue.client.model.MetadataTensor;
import io.mlqueue.client.model.PredictRequest;
import io.mlqueue.client.model.Prediction;
import io.mlqueue.client.model.RequestInput;
import io.mlqueue.client.model.Row;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Gets a prediction from a running gateway through the client OpenAPI Generator wrote from its
 * {@code /openapi.json}: the model's metadata, then one row through the Open Inference API and the
 * same row through {@code /v1/predict}. Exits non-zero if anything fails or the two disagree.
 *
 * <p>Usage: {@code GeneratedClientSmoke http://127.0.0.1:8080}
 */
public final class GeneratedClientSmoke {
  private static final double[] ROW = {
    0.0380759064334241, 0.0506801187398187, 0.0616962065186885, 0.0218723549949558,
    -0.0442234984244464, -0.0348207628376986, -0.0434008456520269, -0.00259226199818282,
    0.0199084208763183, -0.0176461251598052
  };

  public static void main(String[] args) throws Exception {
    ApiClient client = new ApiClient();
    client.setBasePath(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    V2Api v2 = new V2Api(client);
    V1Api v1 = new V1Api(client);

    MetadataModelResponse metadata = v2.modelMetadata("diabetes-ols");
    List<String> features = metadata.getInputs().stream().map(MetadataTensor::getName).toList();
    System.out.println("client: model " + metadata.getName() + " versions " + metadata.getVersions()
        + ", features " + features + ", target " + metadata.getOutputs().get(0).getName());

    List<Object> data = new ArrayList<>();
    for (double v : ROW) {
      data.add(v);
    }
    InferenceRequest request = new InferenceRequest()
        .id("generated-client-1")
        .addInputsItem(new RequestInput()
            .name("input-0")
            .shape(List.of(1L, (long) ROW.length))
            .datatype(RequestInput.DatatypeEnum.FP64)
            .data(data));
    InferenceResponse answer = v2.modelInfer("diabetes-ols", request);
    double v2Prediction = answer.getOutputs().get(0).getData().get(0);
    System.out.println("client: V2 " + answer.getModelName() + ":" + answer.getModelVersion()
        + " id " + answer.getId() + " predicts " + v2Prediction);

    List<BigDecimal> row = new ArrayList<>();
    for (double v : ROW) {
      row.add(BigDecimal.valueOf(v));
    }
    Prediction v1Answer = v1.predict(new PredictRequest().features(new Row(row))).getPrediction();
    double v1Prediction = v1Answer.getPrediction().doubleValue();
    System.out.println("client: V1 " + v1Answer.getModel() + " id " + v1Answer.getId()
        + " predicts " + v1Prediction);

    if (!"generated-client-1".equals(answer.getId()) || Math.abs(v1Prediction - v2Prediction) > 1e-9) {
      System.err.println("client: the two APIs disagree");
      System.exit(1);
    }
    System.out.println("client: ok");
  }
}
