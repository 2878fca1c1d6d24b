package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.app.evaluate.Evaluation;
import io.mlqueue.app.evaluate.LogWindow;
import io.mlqueue.app.evaluate.PromotionWatch;
import io.mlqueue.contract.ModelLog;
import io.mlqueue.contract.Queues;
import io.mlqueue.data.Dataset;
import io.mlqueue.gateway.ApiKeys;
import io.mlqueue.gateway.Canary;
import io.mlqueue.gateway.GatewayConfig;
import io.mlqueue.gateway.GatewayServer;
import io.mlqueue.gateway.amqp.AmqpAnswerLog;
import io.mlqueue.gateway.amqp.AmqpPredictor;
import io.mlqueue.metric.service.MetricService;
import io.mlqueue.model.registry.AliasFollower;
import io.mlqueue.model.registry.ModelReference;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.service.LiveModel;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.model.service.Shadow;
import io.mlqueue.stats.compare.PromotionRule;
import io.mlqueue.stats.compare.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live promotion of a canary on the real RabbitMQ: a gateway sends half of its calls to the
 * challenger ({@code --canary 0.5}), a client posts each call's truth to {@code /v1/feedback} as a
 * delayed label, metric joins it to the answer given into {@code model_log.csv}, and the rule is
 * checked after every 100 calls as {@code promote --watch} checks it — on unpaired rows, with the
 * two-sample confidence sequence. A worse challenger is shown worse and never promoted; a better
 * one is promoted, the workers swap, the evidence is stored, and every labelled call is one row.
 */
class CanaryPromotionIT {
  private static final int MAX_CALLS = 3_000;
  private static final int LOOK_EVERY = 100;
  private static final Map<String, Object> RULE =
      Map.of(
          "model",
          "diabetes",
          "alias",
          "production",
          "metric",
          "mae_difference",
          "min_pairs",
          300,
          "sequential",
          true,
          "alpha",
          0.05);

  @RegisterExtension final RabbitMqVhost rabbit = new RabbitMqVhost();
  @TempDir Path dir;

  @Test
  void aWorseChallengerOnTheCanaryIsShownWorseAndNeverPromoted() throws Exception {
    ModelRegistry registry = ChampionAndChallenger.registry(dir, /* weakChampion: */ false);
    int calls = MAX_CALLS;
    try (Services s = new Services(registry)) {
      for (int i = 0; i < calls; i++) {
        s.callAndLabel();
        if ((i + 1) % LOOK_EVERY == 0) {
          s.awaitLogged();
          assertThat(s.watch.check().moved()).isFalse();
        }
      }
      s.awaitLogged();
      assertThat(registry.alias("diabetes", "production").getAsInt()).isEqualTo(1);
      assertThat(ChampionAndChallenger.evidence(registry, 2)).isEmpty();
      // Shown worse: the always-valid interval of MAE(champion) − MAE(challenger) is below 0.
      Evaluation e =
          Evaluation.compute(
              LogWindow.read(s.modelLog(), null, null),
              Optional.of("diabetes:1"),
              Optional.of("diabetes:2"),
              Optional.empty(),
              new Settings(0.05, 200, 1, 1000, 300));
      assertThat(e.paired()).isEmpty();
      assertThat(e.unpaired().orElseThrow().absoluteError().sequenceNow().upper()).isNegative();
      s.assertOneRowPerLabelledCall();
    }
  }

  @Test
  void aBetterChallengerOnTheCanaryIsPromotedAndTheWorkersSwap() throws Exception {
    ModelRegistry registry = ChampionAndChallenger.registry(dir, /* weakChampion: */ true);
    try (Services s = new Services(registry)) {
      PromotionWatch.Look moved = null;
      for (int i = 0; i < MAX_CALLS && moved == null; i++) {
        s.callAndLabel();
        if ((i + 1) % LOOK_EVERY == 0) {
          s.awaitLogged();
          PromotionWatch.Look look = s.watch.check();
          moved = look.moved() ? look : null;
        }
      }
      assertThat(moved).as("promoted within %d calls", MAX_CALLS).isNotNull();
      System.out.println("CanaryPromotionIT: " + moved.summary());
      assertThat(moved.summary()).contains("two-sample confidence sequence");
      assertThat(registry.alias("diabetes", "production").getAsInt()).isEqualTo(2);
      assertThat(registry.alias("diabetes", "staging").getAsInt()).isEqualTo(1);
      assertThat(ChampionAndChallenger.evidence(registry, 2))
          .singleElement()
          .satisfies(d -> assertThat(d.resolve("evidence.json")).exists());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  s.champion.current().id().equals("diabetes:2")
                      && s.challenger.current().id().equals("diabetes:1"));
      // After the swap the gateway's two routes answer with the swapped versions, each reply
      // naming the version that predicted it.
      for (int i = 0; i < 200; i++) {
        s.callAndLabel();
      }
      s.awaitLogged();
      assertThat(s.answeredBy.subList(s.answeredBy.size() - 200, s.answeredBy.size()))
          .contains("diabetes:1", "diabetes:2");
      s.assertOneRowPerLabelledCall();
    }
  }

  /** Model worker, metric and a canary gateway, in this JVM, on the test's vhost. */
  private final class Services implements AutoCloseable {
    final LiveModel champion;
    final LiveModel challenger;
    final PromotionWatch watch;
    final List<String> answeredBy = new ArrayList<>();
    private final Map<String, Double> truthById = new HashMap<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final GatewayServer gateway;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final Dataset data = Dataset.builtIn();
    private final SplittableRandom rows = new SplittableRandom(5);

    Services(ModelRegistry registry) throws Exception {
      AmqpSettings settings = AmqpSettings.of(rabbit.uri());
      Connection modelConnection = add(BrokerConnector.connect(settings, "model"));
      Connection metricConnection = add(BrokerConnector.connect(settings, "metric"));
      Connection gatewayConnection = add(BrokerConnector.connect(settings, "gateway"));
      champion = add(new LiveModel(registry.load("diabetes", 1)));
      challenger = add(new LiveModel(registry.load("diabetes", 2)));
      add(
          AliasFollower.start(
              registry,
              ModelReference.parse("registry:diabetes@production"),
              champion,
              Duration.ofMillis(300)));
      add(
          AliasFollower.start(
              registry,
              ModelReference.parse("registry:diabetes@staging"),
              challenger,
              Duration.ofMillis(300)));
      open.add(
          MetricService.start(
              metricConnection,
              settings,
              MetricService.Config.of(dir)
                  .withStatusEvery(Duration.ZERO)
                  .withPerModel(
                      MetricService.PerModelLog.on(
                          Duration.ofMinutes(5), (t, p) -> 0, (q, m) -> {})),
              Clock.systemUTC()));
      // The worker answers predict for the champion and predict.challenger for the canary.
      open.add(
          ModelService.start(
              modelConnection,
              settings,
              champion,
              Shadow.of(challenger),
              ModelService.Config.defaults()));
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      AmqpPredictor toChampion = add(AmqpPredictor.start(gatewayConnection, settings, meters));
      AmqpPredictor toChallenger =
          add(
              AmqpPredictor.start(
                  gatewayConnection,
                  settings,
                  new CompositeMeterRegistry(),
                  Queues.PREDICT_CHALLENGER));
      AmqpAnswerLog answers = add(AmqpAnswerLog.start(gatewayConnection, settings, meters));
      gateway =
          add(
              GatewayServer.start(
                  GatewayConfig.defaults().withHost("127.0.0.1").withPort(0),
                  toChampion,
                  meters,
                  ApiKeys.none(),
                  Optional.of(new Canary(toChallenger, 0.5, Optional.empty())),
                  answers));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> toChampion.readiness().ready() && toChallenger.readiness().ready());
      PromotionRule rule = PromotionRule.fromTree(RULE, "rule");
      watch =
          new PromotionWatch(
              modelLog(),
              rule,
              Optional.of(rule),
              Optional.empty(),
              Optional.empty(),
              Optional.of("staging"),
              200,
              registry,
              Clock.systemUTC());
    }

    private <T extends AutoCloseable> T add(T resource) {
      open.add(resource);
      return resource;
    }

    Path modelLog() {
      return dir.resolve(ModelLog.FILE_NAME);
    }

    /** One call on a random row of the data, then its truth as feedback. */
    void callAndLabel() throws Exception {
      int row = rows.nextInt(data.size());
      JsonNode reply =
          post("/v1/predict", "{\"features\": " + Arrays.toString(data.features(row)) + "}");
      String id = reply.path("id").asText();
      answeredBy.add(reply.path("model").asText());
      truthById.put(id, data.target(row));
      JsonNode accepted =
          post("/v1/feedback", "{\"id\": \"" + id + "\", \"y_true\": " + data.target(row) + "}");
      assertThat(accepted.path("status").asText()).isEqualTo("accepted");
    }

    /** Waits until every call labelled so far is a row of the model log. */
    void awaitLogged() {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  modelLog().toFile().exists()
                      && ModelLog.read(modelLog()).rows().size() >= truthById.size());
    }

    /** Nothing lost or doubled: each labelled call is one row, under the model that answered. */
    void assertOneRowPerLabelledCall() throws Exception {
      List<ModelLog.Row> logged = ModelLog.read(modelLog()).rows();
      assertThat(logged).hasSize(truthById.size());
      for (ModelLog.Row row : logged) {
        assertThat(row.yTrue()).as(row.id()).isEqualTo(truthById.get(row.id()));
      }
      rabbit.awaitEmpty(Duration.ofSeconds(30), Queues.Y_PRED_SHADOW, Queues.FEEDBACK);
    }

    private JsonNode post(String path, String body) throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(gateway.url() + path))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return json.readTree(r.body());
    }

    @Override
    public void close() {
      for (int i = open.size() - 1; i >= 0; i--) {
        try {
          open.get(i).close();
        } catch (Exception e) {
          // the rest still closes
        }
      }
    }
  }
}
