package io.mlqueue.gateway.v1;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.helidon.webserver.http.ServerRequest;
import io.mlqueue.contract.MessageId;
import io.mlqueue.gateway.AnswerLog;
import io.mlqueue.gateway.ApiError;
import io.mlqueue.gateway.JsonBodies;
import io.mlqueue.gateway.PredictionEndpoint;
import io.mlqueue.gateway.PredictionExchange;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/feedback}: {@code {"id": …, "y_true": number}} in, {@code {"id": …, "status":
 * "accepted"}} out once the broker has the truth. The id is the one a prediction's answer gave
 * ({@code <id>/<i>} for instance {@code i} of a batch); {@code metric --model-log} joins the truth
 * to that answer, under the model that gave it. Answered 503 when the gateway records no answers.
 */
public final class V1Feedback implements PredictionEndpoint {
  public static final String PATH = "/v1/feedback";
  private static final String SHAPE =
      "send {\"id\": the id of a prediction's answer, \"y_true\": the true value}";

  private final AnswerLog answers;
  private final Duration timeout;

  public V1Feedback(AnswerLog answers, Duration timeout) {
    this.answers = answers;
    this.timeout = timeout;
  }

  private record Truth(MessageId id, double yTrue) {}

  @Override
  public byte[] answer(ServerRequest request, PredictionExchange exchange) throws ApiError {
    if (!answers.enabled()) {
      throw new ApiError(
          503,
          ApiError.SERVICE_UNAVAILABLE,
          "feedback is off: start the gateway with --feedback (or --canary) to record answers");
    }
    exchange.requireJson();
    Truth truth = exchange.readBody(V1Feedback::parse);
    try {
      answers.feedback(truth.id(), truth.yTrue(), timeout).get();
    } catch (ExecutionException | CompletionException e) {
      boolean late = e.getCause() instanceof TimeoutException;
      throw new ApiError(
          late ? 504 : 503,
          late ? ApiError.TIMEOUT : ApiError.BROKER_UNAVAILABLE,
          "the broker did not take the feedback" + (late ? " in time" : "") + "; retry");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, ApiError.SERVICE_UNAVAILABLE, "the gateway is stopping; retry");
    }
    return JsonBodies.write(
        64 + truth.id().text().length(),
        g -> {
          g.writeStartObject();
          g.writeStringField("id", truth.id().text());
          g.writeStringField("status", "accepted");
          g.writeEndObject();
        });
  }

  static Truth parse(JsonParser p) throws ApiError, IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw ApiError.invalidRequest("the body must be a JSON object; " + SHAPE);
    }
    MessageId id = null;
    Double yTrue = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "id" -> {
          if (value == JsonToken.VALUE_STRING && !p.getText().isEmpty()) {
            id = MessageId.of(p.getText());
          } else if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
            id = MessageId.ofNumber(p.getText());
          } else {
            throw ApiError.invalidRequest("\"id\" must be a non-empty string or a number");
          }
          if (id.text().indexOf('\n') >= 0 || id.text().indexOf('\r') >= 0) {
            throw ApiError.invalidRequest("\"id\" must not contain a line break");
          }
        }
        case "y_true" -> {
          if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw ApiError.invalidRequest("\"y_true\" must be a number");
          }
          double v = p.getDoubleValue();
          if (!Double.isFinite(v)) {
            throw ApiError.invalidRequest("\"y_true\" must be a finite number");
          }
          yTrue = v;
        }
        default ->
            throw ApiError.invalidRequest(
                "unknown field \""
                    + (field.length() <= 80 ? field : field.substring(0, 77) + "...")
                    + "\"; "
                    + SHAPE);
      }
    }
    if (id == null || yTrue == null) {
      throw ApiError.invalidRequest(
          "missing field \"" + (id == null ? "id" : "y_true") + "\"; " + SHAPE);
    }
    return new Truth(id, yTrue);
  }
}
