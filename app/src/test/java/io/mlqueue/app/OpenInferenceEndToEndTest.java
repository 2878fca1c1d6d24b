package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.broker.EmbeddedBroker;
import io.mlqueue.contract.Queues;
import io.mlqueue.gateway.GatewayConfig;
import io.mlqueue.gateway.GatewayServer;
import io.mlqueue.gateway.amqp.AmqpPredictor;
import io.mlqueue.gateway.testing.CheckedClient;
import io.mlqueue.gateway.testing.CheckedClient.Answer;
import io.mlqueue.gateway.testing.OpenApiSpecs;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.service.ModelService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Open Inference API end to end in one JVM, on the embedded broker: a client calls {@link
 * GatewayServer}, which calls a real {@link ModelService} through {@link AmqpPredictor}, for
 * predictions and for the model's description. Every exchange is checked against the protocol's
 * OpenAPI document.
 */
class OpenInferenceEndToEndTest {
  private static EmbeddedBroker broker;
  private static AmqpSettings settings;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedBroker.start();
    settings = AmqpSettings.of(broker.amqpUri());
    // Parsing the two OpenAPI documents takes seconds on a busy machine: not inside a wait.
    OpenApiSpecs.protocol();
    OpenApiSpecs.gateway();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void closeInReverse() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    open.clear();
    try (Connection c = BrokerConnector.connect(settings, "cleanup");
        Channel channel = c.createChannel()) {
      channel.queueDelete(Queues.PREDICT);
    }
  }

  @Test
  void servesTheBuiltInModelThroughAWorker() throws Exception {
    open.add(ModelService.start(connect("model"), settings, BuiltInModel.get()));
    Gateway gateway = startGateway(Duration.ofSeconds(5));
    CheckedClient client = new CheckedClient(gateway.server().url());
    awaitReady(client);
    OpenInferenceChecks checks = new OpenInferenceChecks(client);

    checks.describesTheServedModel();
    checks.predictsEveryRowAsTheReferenceInBothForms();
    checks.refusesWhatTheModelCannotTake();

    assertThat(gateway.predictor().pendingCalls()).isZero();
    assertThat(
            gateway
                .registry()
                .get("mlqueue.gateway.requests")
                .tag("protocol", "v2")
                .tag("outcome", "ok")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(7);
  }

  @Test
  void withoutAWorkerItIsNotReadyAndSaysSoAtOnce() throws Exception {
    Gateway gateway = startGateway(Duration.ofSeconds(5));
    CheckedClient client = new CheckedClient(gateway.server().url());

    Answer ready = client.get("/v2/health/ready");
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.error()).contains("no model worker");
    assertThat(client.get("/v2/health/live").status()).isEqualTo(200);

    long start = System.nanoTime();
    Answer infer =
        client.post(
            "/v2/models/diabetes-ols/infer",
            "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 1], \"datatype\": \"FP64\", \"data\": [1]}]}");
    assertThat(infer.status()).as(infer.body()).isEqualTo(503);
    assertThat(infer.error()).contains("no model worker");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(client.get("/v2/models/diabetes-ols").status()).isEqualTo(503);
  }

  @Test
  void aStuckWorkerMakesTheCall504AndLeavesNoPendingCall() throws Exception {
    // A "worker" that takes requests off queue predict, describe calls included, and never answers.
    Channel stuck = connect("stuck-worker").createChannel();
    stuck.queueDeclare(Queues.PREDICT, true, false, false, null);
    stuck.basicConsume(
        Queues.PREDICT,
        true,
        new DefaultConsumer(stuck) {
          @Override
          public void handleDelivery(String tag, Envelope e, AMQP.BasicProperties p, byte[] body) {}
        });
    Gateway gateway = startGateway(Duration.ofMillis(300));
    CheckedClient client = new CheckedClient(gateway.server().url());
    awaitReady(client);

    Answer metadata = client.get("/v2/models/diabetes-ols");
    assertThat(metadata.status()).as(metadata.body()).isEqualTo(504);
    assertThat(metadata.error()).contains("300 ms");
    Answer infer =
        client.post(
            "/v2/models/diabetes-ols/infer",
            "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 1], \"datatype\": \"FP64\", \"data\": [1]}]}");
    assertThat(infer.status()).as(infer.body()).isEqualTo(504);
    await("no pending call left")
        .atMost(Duration.ofSeconds(2))
        .until(() -> gateway.predictor().pendingCalls() == 0);
  }

  // ---- the system under test ----

  private record Gateway(
      GatewayServer server, AmqpPredictor predictor, PrometheusMeterRegistry registry) {}

  private Connection connect(String name) throws Exception {
    Connection c = BrokerConnector.connect(settings, name);
    open.add(c);
    return c;
  }

  private Gateway startGateway(Duration timeout) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AmqpPredictor predictor = AmqpPredictor.start(connect("gateway"), settings, registry);
    open.add(predictor);
    GatewayServer server =
        GatewayServer.start(
            GatewayConfig.defaults().withHost("127.0.0.1").withPort(0).withTimeout(timeout),
            predictor,
            registry);
    open.add(server);
    return new Gateway(server, predictor, registry);
  }

  private static void awaitReady(CheckedClient client) {
    await("gateway ready")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> client.get("/v2/health/ready").status() == 200);
  }
}
