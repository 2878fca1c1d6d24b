package io.mlqueue.gateway.v1;

import io.helidon.webserver.http.ServerRequest;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.gateway.ApiError;
import io.mlqueue.gateway.JsonBodies;
import io.mlqueue.gateway.PredictionEndpoint;
import io.mlqueue.gateway.PredictionExchange;

/**
 * {@code POST /v1/predict}: {@code {"features": …}} or {@code {"instances": […]}} in (see {@link
 * PredictionParser}), {@code {"id", "prediction" | "predictions", "model"}} out.
 */
public final class V1Predict implements PredictionEndpoint {
  public static final String PATH = "/v1/predict";

  private final PredictionParser parser;

  public V1Predict(int maxInstances) {
    this.parser = new PredictionParser(maxInstances);
  }

  @Override
  public byte[] answer(ServerRequest request, PredictionExchange exchange) throws ApiError {
    exchange.requireJson();
    PredictionParser.Parsed parsed = exchange.readBody(parser::parse);
    PredictReply.Predictions reply = exchange.predict(parsed.instances(), parsed.featureNames());
    return body(exchange.id(), reply.predictions(), reply.model(), parsed.single());
  }

  /**
   * {@code {"id": …, "prediction": x, "model": …}} for one instance, {@code {"id": …,
   * "predictions": [x, …], "model": …}} for a batch.
   */
  static byte[] body(MessageId id, double[] predictions, String model, boolean single) {
    return JsonBodies.write(
        96 + 24 * predictions.length,
        g -> {
          g.writeStartObject();
          g.writeStringField("id", id.text());
          if (single) {
            g.writeNumberField("prediction", predictions[0]);
          } else {
            g.writeFieldName("predictions");
            g.writeArray(predictions, 0, predictions.length);
          }
          g.writeStringField("model", model);
          g.writeEndObject();
        });
  }
}
