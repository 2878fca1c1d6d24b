package io.mlqueue.app;

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
import io.mlqueue.broker.EmbeddedBroker;
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
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.service.LiveModel;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.model.service.Shadow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary with delayed labels on the embedded broker: the gateway sends a share of its calls to
 * the challenger a {@code model --shadow} worker serves, records every answer under the model that
 * gave it, and {@code POST /v1/feedback} joins the truth to it in {@code model_log.csv}.
 */
class CanaryFeedbackTest {
  private static final int CALLS = 60;
  @TempDir Path dir;

  @Test
  void everyAnswerIsLabelledWithItsModelAndJoinedToItsTruth() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      check(AmqpSettings.of(broker.amqpUri()), dir);
    }
  }

  /**
   * The canary's run on the broker of {@code settings}, its logs in {@code dir}: shared with {@code
   * CanaryFeedbackIT}, which runs it on RabbitMQ (where replies come on direct reply-to).
   */
  static void check(AmqpSettings settings, Path dir) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    LinearModel champion = BuiltInModel.get();
    double[] halved = champion.coefficients();
    for (int i = 0; i < halved.length; i++) {
      halved[i] /= 2;
    }
    LinearModel challenger =
        new LinearModel(
            "diabetes-ols",
            "2",
            champion.featureNames(),
            champion.targetName(),
            champion.intercept(),
            halved,
            null);
    Dataset data = Dataset.builtIn();
    try (Closer open = new Closer()) {
      Connection modelConnection = open.add(BrokerConnector.connect(settings, "model"));
      Connection metricConnection = open.add(BrokerConnector.connect(settings, "metric"));
      Connection gatewayConnection = open.add(BrokerConnector.connect(settings, "gateway"));
      ModelService model =
          ModelService.start(
              modelConnection,
              settings,
              new LiveModel(champion),
              Shadow.of(new LiveModel(challenger)),
              ModelService.Config.defaults());
      open.add(model::close);
      MetricService metric =
          MetricService.start(
              metricConnection,
              settings,
              MetricService.Config.of(dir)
                  .withStatusEvery(Duration.ZERO)
                  .withPerModel(
                      MetricService.PerModelLog.on(
                          Duration.ofMinutes(5), (t, p) -> 0, (q, m) -> {})),
              Clock.systemUTC());
      open.add(metric::close);
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      AmqpPredictor predictor =
          open.add(AmqpPredictor.start(gatewayConnection, settings, registry));
      AmqpPredictor toChallenger =
          open.add(
              AmqpPredictor.start(
                  gatewayConnection,
                  settings,
                  new CompositeMeterRegistry(),
                  Queues.PREDICT_CHALLENGER));
      AmqpAnswerLog answers = open.add(AmqpAnswerLog.start(gatewayConnection, settings, registry));
      GatewayServer gateway =
          open.add(
              GatewayServer.start(
                  GatewayConfig.defaults().withHost("127.0.0.1").withPort(0),
                  predictor,
                  registry,
                  ApiKeys.none(),
                  Optional.of(new Canary(toChallenger, 0.5, Optional.empty())),
                  answers));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> predictor.readiness().ready() && toChallenger.readiness().ready());

      Map<String, String> modelById = new HashMap<>();
      Map<String, Double> truthById = new HashMap<>();
      for (int i = 0; i < CALLS; i++) {
        JsonNode reply =
            json.readTree(
                post(
                    http,
                    gateway,
                    "/v1/predict",
                    "{\"features\": " + Arrays.toString(data.features(i)) + "}"));
        String id = reply.path("id").asText();
        String by = reply.path("model").asText();
        // The reply is truthful: its prediction is the named model's.
        LinearModel answered = by.equals(champion.id()) ? champion : challenger;
        assertThat(reply.path("prediction").asDouble())
            .isEqualTo(answered.predict(data.features(i)));
        modelById.put(id, by);
        truthById.put(id, data.target(i));
      }
      assertThat(modelById.values()).contains(champion.id(), challenger.id());
      for (Map.Entry<String, Double> truth : truthById.entrySet()) {
        JsonNode accepted =
            json.readTree(
                post(
                    http,
                    gateway,
                    "/v1/feedback",
                    "{\"id\": \"" + truth.getKey() + "\", \"y_true\": " + truth.getValue() + "}"));
        assertThat(accepted.path("status").asText()).isEqualTo("accepted");
      }

      Path log = dir.resolve(ModelLog.FILE_NAME);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> log.toFile().exists() && ModelLog.read(log).rows().size() == CALLS);
      List<ModelLog.Row> rows = ModelLog.read(log).rows();
      for (ModelLog.Row row : rows) {
        assertThat(row.model()).as(row.id()).isEqualTo(modelById.get(row.id()));
        assertThat(row.yTrue()).as(row.id()).isEqualTo(truthById.get(row.id()));
      }
    }
  }

  private static String post(HttpClient http, GatewayServer gateway, String path, String body)
      throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }
}
