package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictReply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The canary's split, the answers recorded and {@code POST /v1/feedback}, over fake predictors. */
class CanaryTest {
  private static final String KEY = "k-0123456789abcdef";
  private final HttpClient http = HttpClient.newHttpClient();
  private final FakePredictor champion = new FakePredictor();
  private final FakePredictor challenger = new FakePredictor();
  private final RecordingLog answers = new RecordingLog();
  @TempDir Path dir;
  private GatewayServer server;

  /** Answers and truths kept in memory. */
  static final class RecordingLog implements AnswerLog {
    final List<String> answered = new CopyOnWriteArrayList<>();
    final Map<String, Double> truths = new ConcurrentHashMap<>();

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public void answered(MessageId id, double[] predictions, String model) {
      for (int i = 0; i < predictions.length; i++) {
        answered.add(AnswerLog.instanceId(id, i, predictions.length).text() + " " + model);
      }
    }

    @Override
    public CompletableFuture<Void> feedback(MessageId id, double yTrue, Duration timeout) {
      truths.put(id.text(), yTrue);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
  }

  private void start(double share, Optional<String> sticky) throws Exception {
    challenger.answer(
        r -> {
          PredictReply.Predictions sums = FakePredictor.sums(r);
          return CompletableFuture.completedFuture(
              new PredictReply.Predictions(r.id(), sums.predictions(), "fake:2"));
        });
    Path keys = Files.writeString(dir.resolve("keys"), KEY + "\n");
    server =
        GatewayServer.start(
            GatewayConfig.defaults().withHost("127.0.0.1").withPort(0),
            champion,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            ApiKeys.load(keys),
            Optional.of(new Canary(challenger, share, sticky)),
            answers);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Content-Type", "application/json")
            .header("X-API-Key", KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aShareOfTheCallsIsAnsweredByTheChallengerAndEachReplyNamesItsModel() throws Exception {
    start(0.3, Optional.empty());
    List<String> models = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      JsonNode reply = GatewayTestBase.json(post("/v1/predict", "{\"features\": [1, 2]}").body());
      models.add(reply.path("model").asText());
      assertThat(reply.path("prediction").asDouble()).isEqualTo(3);
    }
    long byChallenger = models.stream().filter("fake:2"::equals).count();
    assertThat(byChallenger).isBetween(45L, 135L); // 30% of 300, far outside 6 standard deviations
    assertThat(models).containsOnly("fake:1", "fake:2");
    // Every answer recorded under the model that gave it.
    assertThat(answers.answered).hasSize(300);
    assertThat(answers.answered.stream().filter(a -> a.endsWith(" fake:2")).count())
        .isEqualTo(byChallenger);
  }

  @Test
  void aStickyKeyKeepsItsModelAndAChallengerWithoutWorkersLeavesTheCallToTheChampion()
      throws Exception {
    start(0.5, Optional.of("X-User-Id"));
    for (String user : List.of("ann", "bob", "cleo", "dan", "eve", "fay")) {
      String first =
          GatewayTestBase.json(post("/v1/predict", "{\"features\": [1]}", "X-User-Id", user).body())
              .path("model")
              .asText();
      for (int i = 0; i < 5; i++) {
        assertThat(
                GatewayTestBase.json(
                        post("/v1/predict", "{\"features\": [1]}", "X-User-Id", user).body())
                    .path("model")
                    .asText())
            .as(user)
            .isEqualTo(first);
      }
    }
    challenger.readiness(new Predictor.Readiness(true, 0));
    for (int i = 0; i < 20; i++) {
      assertThat(
              GatewayTestBase.json(post("/v1/predict", "{\"features\": [1]}").body())
                  .path("model")
                  .asText())
          .isEqualTo("fake:1");
    }
  }

  @Test
  void feedbackSendsTheTruthByTheAnswersIdAndRefusesAWrongBody() throws Exception {
    start(0, Optional.empty());
    JsonNode batch =
        GatewayTestBase.json(post("/v1/predict", "{\"instances\": [[1], [2]]}").body());
    String id = batch.path("id").asText();
    assertThat(answers.answered).containsExactly(id + "/0 fake:1", id + "/1 fake:1");

    HttpResponse<String> ok = post("/v1/feedback", "{\"id\": \"" + id + "/1\", \"y_true\": 2.5}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(GatewayTestBase.json(ok.body()).path("status").asText()).isEqualTo("accepted");
    assertThat(answers.truths).containsEntry(id + "/1", 2.5);

    assertThat(post("/v1/feedback", "{\"id\": \"x\"}").statusCode()).isEqualTo(400);
    assertThat(message(post("/v1/feedback", "{\"id\": \"x\", \"y_true\": \"high\"}")))
        .isEqualTo("\"y_true\" must be a number");
    assertThat(message(post("/v1/feedback", "{\"id\": \"x\", \"y_true\": 1, \"z\": 0}")))
        .startsWith("unknown field \"z\"");
    // The API key guards feedback as it guards predictions.
    HttpResponse<String> noKey =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/v1/feedback"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"x\", \"y_true\": 1}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(noKey.statusCode()).isEqualTo(401);
  }

  private static String message(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(400);
    return GatewayTestBase.json(response.body()).path("error").path("message").asText();
  }

  @Test
  void withoutAnAnswerLogFeedbackIsRefusedAsSwitchedOff() throws Exception {
    server =
        GatewayServer.start(
            GatewayConfig.defaults().withHost("127.0.0.1").withPort(0),
            champion,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    HttpResponse<String> off =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/v1/feedback"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"x\", \"y_true\": 1}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(off.statusCode()).isEqualTo(503);
    assertThat(off.body()).contains("--feedback");
  }
}
