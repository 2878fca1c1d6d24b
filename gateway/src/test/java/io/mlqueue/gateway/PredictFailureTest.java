package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.gateway.GatewayClient.Answer;
import io.mlqueue.gateway.Predictor.BrokerDownException;
import io.mlqueue.gateway.Predictor.NoWorkerException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** What the client gets when the worker, the broker or the gateway itself fails. */
class PredictFailureTest extends GatewayTestBase {
  @Test
  void passesTheWorkersInvalidInputOnAs400() {
    String message = "unknown feature 'foo'; the model expects age, sex, bmi";
    predictor.answer(
        r ->
            CompletableFuture.completedFuture(
                new PredictReply.Failure(r.id(), PredictReply.Kind.INVALID_INPUT, message)));

    Answer a = client.postJson("{\"features\": {\"foo\": 1}}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.code()).isEqualTo("invalid_input");
    assertThat(a.message()).isEqualTo(message);
    assertThat(a.json().get("id").asText()).isEqualTo(predictor.last().id().text());
  }

  @Test
  void answersTheWorkersInternalFailureWith500WithoutItsDetails() {
    predictor.answer(
        r ->
            CompletableFuture.completedFuture(
                new PredictReply.Failure(
                    r.id(), PredictReply.Kind.INTERNAL, "java.lang.ArithmeticException at x.y")));

    Answer a = client.postJson("{\"features\": [1]}");

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.code()).isEqualTo("model_error");
    assertThat(a.message()).contains(predictor.last().id().text());
    assertThat(a.body()).doesNotContain("ArithmeticException");
  }

  @Test
  void answersNoWorkerWith503AtOnce() {
    predictor.answer(
        r -> CompletableFuture.failedFuture(new NoWorkerException("no consumer on 'predict'")));

    long start = System.nanoTime();
    Answer a = client.postJson("{\"features\": [1]}");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(a.status()).isEqualTo(503);
    assertThat(a.code()).isEqualTo("no_worker");
    assertThat(a.message()).contains("no model worker");
    assertThat(a.header("Retry-After")).isEqualTo("1");
    assertThat(took).isLessThan(TIMEOUT.dividedBy(4));
  }

  @Test
  void answersNoWorkerThrownByPredictWith503() {
    predictor.answer(
        r -> {
          throw new NoWorkerException("no consumer on 'predict'");
        });

    Answer a = client.postJson("{\"features\": [1]}");

    assertThat(a.status()).isEqualTo(503);
    assertThat(a.code()).isEqualTo("no_worker");
  }

  @Test
  void answersBrokerDownWith503WithoutTheBrokersWords() {
    predictor.answer(
        r ->
            CompletableFuture.failedFuture(
                new BrokerDownException("sending the call failed: reply-code=320 secret-host")));

    Answer a = client.postJson("{\"features\": [1]}");

    assertThat(a.status()).isEqualTo(503);
    assertThat(a.code()).isEqualTo("broker_unavailable");
    assertThat(a.message()).contains("not connected to the message broker");
    assertThat(a.body()).doesNotContain("secret-host");
    assertThat(a.header("Retry-After")).isEqualTo("1");
  }

  @Test
  void answersThePredictorsTimeoutWith504() {
    predictor.answer(r -> CompletableFuture.failedFuture(new TimeoutException()));

    Answer a = client.postJson("{\"features\": [1]}");

    assertThat(a.status()).isEqualTo(504);
    assertThat(a.code()).isEqualTo("timeout");
    assertThat(a.message()).contains("2 s");
  }

  @Test
  void answersAnUnexpectedFailureWith500WithoutAStackTrace() {
    predictor.answer(
        r -> {
          throw new IllegalStateException("kaboom in the predictor");
        });

    Answer a = client.postJson("{\"features\": [1]}");

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.code()).isEqualTo("internal_error");
    assertThat(a.body())
        .doesNotContain("kaboom")
        .doesNotContain("IllegalStateException")
        .doesNotContain("\tat ");
  }

  @Test
  void neverHandsOutAReplyForAnotherRequest() {
    predictor.answer(
        r ->
            CompletableFuture.completedFuture(
                new PredictReply.Predictions(MessageId.random(), new double[] {1}, "m:1")));

    Answer a = client.postJson("{\"features\": [1]}");

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.code()).isEqualTo("internal_error");
    assertThat(a.json().has("prediction")).isFalse();
  }

  @Test
  void refusesAReplyWithTheWrongNumberOfPredictions() {
    predictor.answer(
        r ->
            CompletableFuture.completedFuture(
                new PredictReply.Predictions(r.id(), new double[] {1, 2}, "m:1")));

    Answer a = client.postJson("{\"features\": [1]}");

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.code()).isEqualTo("model_error");
  }
}
