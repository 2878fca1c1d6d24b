package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.contract.InvalidMessageException;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.gateway.Predictor.BrokerDownException;
import io.mlqueue.gateway.Predictor.NoWorkerException;
import io.mlqueue.gateway.Predictor.Readiness;
import io.mlqueue.gateway.testing.CheckedClient;
import io.mlqueue.gateway.testing.CheckedClient.Answer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Open Inference Protocol's REST API on the gateway, over a {@link FakePredictor} that serves
 * model {@code fake} version {@code 1} (features a, b; target y; predictions are row sums). Every
 * exchange is checked against the protocol's OpenAPI document and the gateway's ({@link
 * CheckedClient}).
 */
class OpenInferenceApiTest extends GatewayTestBase {
  private static final String INFER = "/v2/models/fake/infer";

  private CheckedClient v2;

  @BeforeEach
  void client() {
    v2 = new CheckedClient(server.url());
  }

  @AfterEach
  void everyExchangeWasChecked() {
    assertThat(v2.checked()).isPositive();
  }

  // ---- health and metadata ----

  @Test
  void isLiveAndReadyWithAWorker() {
    // The status is the answer; the protocol's document declares no body.
    Answer live = v2.get("/v2/health/live");
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.body()).isEmpty();

    Answer ready = v2.get("/v2/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.body()).isEmpty();
  }

  @Test
  void isLiveButNotReadyWithoutAWorkerOrTheBroker() {
    predictor.readiness(new Readiness(true, 0));
    Answer noWorker = v2.get("/v2/health/ready");
    assertThat(noWorker.status()).isEqualTo(503);
    assertThat(noWorker.error())
        .isEqualTo("the gateway is not ready: no model worker consumes prediction requests");
    assertThat(noWorker.header("Retry-After")).isEqualTo("1");

    predictor.readiness(new Readiness(false, 0));
    assertThat(v2.get("/v2/health/ready").error()).contains("not connected to the message broker");
    assertThat(v2.get("/v2/health/live").status()).isEqualTo(200);
  }

  @Test
  void describesTheServerAtV2WithAndWithoutTheSlash() {
    for (String path : List.of("/v2", "/v2/")) {
      Answer a = v2.get(path);
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.json().get("name").asText()).isEqualTo("mlqueue");
      assertThat(a.json().get("version").asText()).isNotBlank();
      assertThat(a.json().get("extensions").isEmpty()).isTrue();
    }
  }

  @Test
  void describesTheModelAsItsWorkerDescribesIt() {
    for (String path : List.of("/v2/models/fake", "/v2/models/fake/versions/1")) {
      Answer a = v2.get(path);

      assertThat(a.status()).as(a.body()).isEqualTo(200);
      assertThat(a.json().get("name").asText()).isEqualTo("fake");
      assertThat(texts(a.json().get("versions"))).containsExactly("1");
      assertThat(a.json().get("platform").asText()).isEqualTo("mlqueue_linear");
      assertThat(a.json().get("inputs").toString())
          .isEqualTo(
              "[{\"name\":\"a\",\"datatype\":\"FP64\",\"shape\":[-1]},"
                  + "{\"name\":\"b\",\"datatype\":\"FP64\",\"shape\":[-1]}]");
      assertThat(a.json().get("outputs").toString())
          .isEqualTo("[{\"name\":\"y\",\"datatype\":\"FP64\",\"shape\":[-1,1]}]");
    }
  }

  @Test
  void listsEveryVersionThatAnsweredLatelyDuringASwap() {
    // One worker describes version 1, another answers with version 2 (it swapped already).
    predictor.answer(
        r ->
            CompletableFuture.completedFuture(
                new PredictReply.Predictions(
                    r.id(), FakePredictor.sums(r).predictions(), "fake:2")));
    assertThat(v2.post(INFER, matrix(1, 2)).status()).isEqualTo(200);

    Answer a = v2.get("/v2/models/fake");

    assertThat(texts(a.json().get("versions"))).containsExactly("1", "2");
    assertThat(v2.get("/v2/models/fake/versions/2/ready").status()).isEqualTo(200);
    assertThat(v2.get("/v2/models/fake/versions/3/ready").status()).isEqualTo(404);
  }

  @Test
  void anUnknownModelOrVersionIs404InTheProtocolsShape() {
    Answer model = v2.get("/v2/models/nope");
    assertThat(model.status()).isEqualTo(404);
    assertThat(model.error()).isEqualTo("no model named 'nope' is served here; served now: fake");
    assertThat(model.json().size()).as("only \"error\"").isEqualTo(1);

    Answer version = v2.get("/v2/models/fake/versions/7");
    assertThat(version.status()).isEqualTo(404);
    assertThat(version.error())
        .isEqualTo("model 'fake' has no version '7' served here; served now: 1");

    assertThat(v2.get("/v2/models/nope/ready").status()).isEqualTo(404);
    assertThat(v2.post("/v2/models/nope/infer", matrix(1, 2)).status()).isEqualTo(404);
    assertThat(v2.post("/v2/models/fake/versions/7/infer", matrix(1, 2)).status()).isEqualTo(404);
    assertThat(predictor.requests).isEmpty();
  }

  @Test
  void theModelIsReadyWhenAWorkerServesIt() {
    Answer ready = v2.get("/v2/models/fake/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.body()).isEmpty();
    assertThat(v2.get("/v2/models/fake/versions/1/ready").status()).isEqualTo(200);

    predictor.readiness(new Readiness(true, 0));
    Answer notReady = v2.get("/v2/models/fake/ready");
    assertThat(notReady.status()).isEqualTo(503);
    assertThat(notReady.error()).contains("model 'fake' is not ready: no model worker");
  }

  @Test
  void metadataNeedsWorkersThatDescribeTheirModel() {
    predictor.describeWith(
        () ->
            CompletableFuture.failedFuture(
                new InvalidMessageException(
                    "the worker answered invalid_input: missing field \"instances\"")));
    assertThat(v2.get("/v2/health/live").status()).isEqualTo(200); // loads the checks' documents
    try (ServerWithFreshCatalog fresh = new ServerWithFreshCatalog()) {
      Answer a = fresh.client.get("/v2/models/fake");
      assertThat(a.status()).isEqualTo(503);
      assertThat(a.error()).contains("did not describe their model").contains("mlqueue version");
      // Asked again within the second: the same answer, without asking the workers again.
      int describes = predictor.describes.get();
      assertThat(fresh.client.post(INFER, matrix(1, 2)).error()).contains("did not describe");
      assertThat(predictor.describes.get()).isEqualTo(describes);
      assertThat(fresh.client.checked()).isEqualTo(2);
    }
    predictor.describeWith(() -> CompletableFuture.failedFuture(new NoWorkerException("none")));
    try (ServerWithFreshCatalog fresh = new ServerWithFreshCatalog()) {
      Answer noWorker = fresh.client.post(INFER, matrix(1, 2));
      assertThat(noWorker.status()).isEqualTo(503);
      assertThat(noWorker.error()).contains("no model worker");
    }
  }

  @Test
  void asksTheWorkersAboutAnUnknownNameAtMostOnceASecond() {
    v2.get("/v2/models/fake");
    int before = predictor.describes.get();
    for (int i = 0; i < 20; i++) {
      assertThat(v2.get("/v2/models/unknown-" + i).status()).isEqualTo(404);
    }
    assertThat(predictor.describes.get() - before).isLessThanOrEqualTo(2);
  }

  // ---- inference ----

  @Test
  void predictsOneMatrixTensorFlatOrNested() {
    String flat =
        "{\"inputs\": [{\"name\": \"input-0\", \"shape\": [2, 2], \"datatype\": \"FP64\","
            + " \"data\": [1, 2, 3.5, 4]}]}";
    String nested =
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 2], \"datatype\": \"FP32\","
            + " \"data\": [[1, 2], [3.5, 4]]}]}";
    for (String body : List.of(flat, nested)) {
      Answer a = v2.post(INFER, body);

      assertThat(a.status()).as(a.body()).isEqualTo(200);
      assertThat(a.json().get("model_name").asText()).isEqualTo("fake");
      assertThat(a.json().get("model_version").asText()).isEqualTo("1");
      assertThat(a.json().has("id")).as("no id sent, none echoed").isFalse();
      assertThat(a.json().get("outputs").toString())
          .isEqualTo("[{\"name\":\"y\",\"datatype\":\"FP64\",\"shape\":[2,1],\"data\":[3.0,7.5]}]");
      PredictRequest sent = predictor.last();
      assertThat(sent.instances()).isDeepEqualTo(new double[][] {{1, 2}, {3.5, 4}});
      assertThat(sent.featureNames()).isEmpty();
    }
  }

  @Test
  void predictsOneColumnPerFeatureInAnyOrderAndPassesTheNamesOn() {
    String body =
        "{\"inputs\": ["
            + "{\"name\": \"b\", \"shape\": [3], \"datatype\": \"FP64\", \"data\": [10, 20, 30]},"
            + "{\"name\": \"a\", \"shape\": [3, 1], \"datatype\": \"FP64\", \"data\": [[1], [2], [3]]}]}";

    Answer a = v2.post(INFER, body);

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.json().at("/outputs/0/data").toString()).isEqualTo("[11.0,22.0,33.0]");
    assertThat(a.json().at("/outputs/0/shape").toString()).isEqualTo("[3,1]");
    PredictRequest sent = predictor.last();
    assertThat(sent.featureNames()).containsExactly("b", "a");
    assertThat(sent.instances()).isDeepEqualTo(new double[][] {{10, 1}, {20, 2}, {30, 3}});
  }

  @Test
  void echoesTheIdAndTheParametersAndHonoursTheOutputsAskedFor() {
    String body =
        "{\"id\": \"req-42\", \"parameters\": {\"content_type\": \"pd\", \"n\": 1.5,"
            + " \"flag\": true}, \"inputs\": [{\"name\": \"m\", \"shape\": [1, 2], \"datatype\": \"FP64\","
            + " \"data\": [1, 2]}], \"outputs\": [{\"name\": \"y\", \"parameters\": {\"binary_data\": false}}]}";

    Answer a = v2.post("/v2/models/fake/versions/1/infer", body);

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.json().get("id").asText()).isEqualTo("req-42");
    assertThat(a.json().get("parameters").toString())
        .isEqualTo("{\"content_type\":\"pd\",\"n\":1.5,\"flag\":true}");
    assertThat(a.json().get("model_version").asText()).isEqualTo("1");

    Answer unknown = v2.post(INFER, body.replace("\"name\": \"y\"", "\"name\": \"z\""));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.error()).isEqualTo("unknown output 'z'; model 'fake' has one output, 'y'");
  }

  static Stream<Arguments> refusedRequests() {
    String ok = "{\"name\": \"m\", \"shape\": [1, 2], \"datatype\": \"FP64\", \"data\": [1, 2]}";
    return Stream.of(
        Arguments.of("{}", "missing field \"inputs\""),
        Arguments.of("[]", "must be a JSON object"),
        Arguments.of("{\"inputs\": []}", "\"inputs\" is an empty list"),
        Arguments.of(
            "{\"inputs\": [" + ok.replace("FP64", "INT64") + "]}",
            "input 'm' has datatype INT64; the model reads numbers as FP64 or FP32"),
        Arguments.of(
            "{\"inputs\": [{\"name\": \"m\", \"shape\": [1, 2], \"datatype\": \"BYTES\","
                + " \"data\": [\"a\", \"b\"]}]}",
            "input 'm' has datatype BYTES"),
        Arguments.of(
            "{\"inputs\": [" + ok.replace("FP64", "FLOAT") + "]}",
            "datatype FLOAT, not a datatype of the protocol"),
        Arguments.of(
            "{\"inputs\": [" + ok.replace("[1, 2]}", "[1, 2, 3]}") + "]}",
            "input 'm' has 3 values for shape [1, 2], which holds 2"),
        Arguments.of(
            "{\"inputs\": [" + ok.replace("[1, 2]}", "[[1, 2], [3, 4]]}") + "]}",
            "\"data\" is nested as [2, 2] but its shape is [1, 2]"),
        Arguments.of(
            "{\"inputs\": [" + ok.replace("[1, 2]}", "[[1, 2], [3]]}") + "]}",
            "\"data\" nested unevenly"),
        Arguments.of(
            "{\"inputs\": [" + ok.replace("[1, 2]}", "[1, NaN]}") + "]}",
            "input 'm': data[1] is NaN; every feature must be a finite number"),
        Arguments.of(
            "{\"inputs\": [" + ok.replace("[1, 2]}", "[1, \"2\"]}") + "]}",
            "input 'm': data[1] must be a number, got a string"),
        Arguments.of(
            "{\"inputs\": [" + ok.replace("\"shape\": [1, 2], ", "") + "]}",
            "input 'm' has no \"shape\""),
        Arguments.of(
            "{\"inputs\": ["
                + ok.replace("[1, 2], \"datatype", "[0, 2], \"datatype").replace("[1, 2]}", "[]}")
                + "]}",
            "no instances"),
        Arguments.of(
            "{\"inputs\": ["
                + ok.replace("[1, 2], \"datatype", "[6, 1], \"datatype")
                    .replace("[1, 2]}", "[1, 2, 3, 4, 5, 6]}")
                + "]}",
            "6 instances in one request; this gateway takes at most 5"),
        Arguments.of(
            "{\"inputs\": [{\"name\": \"a\", \"shape\": [2], \"datatype\": \"FP64\","
                + " \"data\": [1, 2]}, {\"name\": \"b\", \"shape\": [1], \"datatype\": \"FP64\","
                + " \"data\": [1]}]}",
            "input 'b' has 1 rows, input 'a' has 2"),
        Arguments.of(
            "{\"inputs\": [{\"name\": \"a\", \"shape\": [1], \"datatype\": \"FP64\","
                + " \"data\": [1]}, {\"name\": \"a\", \"shape\": [1], \"datatype\": \"FP64\","
                + " \"data\": [2]}]}",
            "two inputs are named 'a'"),
        Arguments.of(
            "{\"inputs\": [{\"name\": \"a\", \"shape\": [1], \"datatype\": \"FP64\","
                + " \"data\": [1]}, "
                + ok
                + "]}",
            "input 'm' has shape [1, 2]"),
        Arguments.of("{\"id\": 7, \"inputs\": [" + ok + "]}", "\"id\" must be a string"),
        Arguments.of("{\"inputs\": [" + ok + "], \"outputs\": [{}]}", "outputs[0] has no \"name\""),
        Arguments.of("{\"inputs\": [" + ok + "]", "the JSON ends early"));
  }

  @ParameterizedTest
  @MethodSource("refusedRequests")
  void refusesWhatItCannotPredictWith400NamingTheProblem(String body, String message) {
    Answer a = v2.sendInvalid("POST", INFER, "application/json", body);

    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.error()).contains(message);
    assertThat(predictor.requests).isEmpty();
  }

  @Test
  void refusesAnotherContentTypeAndABodyOverTheLimit() {
    Answer text = v2.sendInvalid("POST", INFER, "text/plain", matrix(1, 2));
    assertThat(text.status()).isEqualTo(415);
    assertThat(text.error()).contains("send the body as application/json");

    Answer big =
        v2.sendInvalid(
            "POST",
            INFER,
            "application/json",
            "{\"inputs\": [], \"pad\": \"" + "x".repeat(MAX_BODY) + "\"}");
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.error()).contains("over this gateway's limit of 4096 bytes");
  }

  @Test
  void passesTheWorkersRefusalOnAs400() {
    predictor.answer(
        r ->
            CompletableFuture.completedFuture(
                new PredictReply.Failure(
                    r.id(),
                    PredictReply.Kind.INVALID_INPUT,
                    "unknown feature 'c'; the model expects a, b")));

    Answer a =
        v2.post(
            INFER,
            "{\"inputs\": [{\"name\": \"c\", \"shape\": [1], \"datatype\": \"FP64\","
                + " \"data\": [1]}]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("unknown feature 'c'; the model expects a, b");
  }

  @Test
  void answersTheCallsFailuresAsV1DoesInTheProtocolsShape() {
    predictor.answer(r -> CompletableFuture.failedFuture(new NoWorkerException("none")));
    Answer noWorker = v2.post(INFER, matrix(1, 2));
    assertThat(noWorker.status()).isEqualTo(503);
    assertThat(noWorker.error()).contains("no model worker is serving predictions");

    predictor.answer(r -> CompletableFuture.failedFuture(new BrokerDownException("down")));
    assertThat(v2.post(INFER, matrix(1, 2)).error())
        .contains("not connected to the message broker");

    predictor.answer(r -> CompletableFuture.failedFuture(new TimeoutException()));
    Answer timeout = v2.post(INFER, matrix(1, 2));
    assertThat(timeout.status()).isEqualTo(504);
    assertThat(timeout.error()).contains("within the gateway's timeout of 2 s");

    predictor.answer(
        r ->
            CompletableFuture.completedFuture(
                new PredictReply.Failure(r.id(), PredictReply.Kind.INTERNAL, "boom")));
    Answer failed = v2.post(INFER, matrix(1, 2));
    assertThat(failed.status()).isEqualTo(500);
    assertThat(failed.error())
        .contains("the model worker failed to predict")
        .contains(predictor.last().id().text());
  }

  @Test
  void refusesAnAnswerFromAnotherVersionThanAskedFor() {
    predictor.answer(
        r ->
            CompletableFuture.completedFuture(
                new PredictReply.Predictions(
                    r.id(), FakePredictor.sums(r).predictions(), "fake:2")));

    Answer asked = v2.post("/v2/models/fake/versions/1/infer", matrix(1, 2));
    assertThat(asked.status()).isEqualTo(503);
    assertThat(asked.error()).startsWith("the prediction came from fake:2, not fake:1");

    Answer any = v2.post(INFER, matrix(1, 2));
    assertThat(any.status()).isEqualTo(200);
    assertThat(any.json().get("model_version").asText()).isEqualTo("2");
  }

  @Test
  void unknownPathsAndMethodsUnderV2AreAnsweredInTheProtocolsShape() {
    Answer path = v2.get("/v2/repository/index");
    assertThat(path.status()).isEqualTo(404);
    assertThat(path.error()).contains("no resource at /v2/repository/index");
    assertThat(path.json().has("code")).isFalse();

    Answer method = v2.sendInvalid("GET", INFER, null, null);
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.header("Allow")).isEqualTo("POST");
    assertThat(method.error()).isEqualTo("GET is not allowed on /v2/models/fake/infer; use POST");
  }

  @Test
  void countsV2RequestsUnderTheirOwnLabel() {
    v2.post(INFER, matrix(1, 2));
    v2.get("/v2/models/nope");
    v2.post("/v2/models/nope/infer", matrix(1, 2));

    String metrics = client.get("/metrics").body();
    assertThat(metrics)
        .containsPattern(
            "mlqueue_gateway_requests_total\\{outcome=\"ok\",protocol=\"v2\",status=\"200\"} [1-9]")
        .containsPattern(
            "mlqueue_gateway_requests_total\\{outcome=\"model_not_found\",protocol=\"v2\",status=\"404\"} [1-9]")
        .containsPattern("mlqueue_gateway_request_instances_count\\{protocol=\"v2\"} [1-9]");
  }

  // ---- helpers ----

  /** A body with one [1, 2] tensor. */
  private static String matrix(double a, double b) {
    return "{\"inputs\": [{\"name\": \"m\", \"shape\": [1, 2], \"datatype\": \"FP64\", \"data\": ["
        + a
        + ", "
        + b
        + "]}]}";
  }

  private static List<String> texts(JsonNode array) {
    return list(array.elements()).stream().map(JsonNode::asText).toList();
  }

  /** A second gateway over the same predictor: its catalog has not described the model yet. */
  private final class ServerWithFreshCatalog implements AutoCloseable {
    final GatewayServer server =
        GatewayServer.start(
            GatewayConfig.defaults().withHost("127.0.0.1").withPort(0),
            predictor,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    final CheckedClient client = new CheckedClient(server.url());

    @Override
    public void close() {
      server.close();
    }
  }
}
