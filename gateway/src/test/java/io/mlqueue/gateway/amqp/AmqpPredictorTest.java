package io.mlqueue.gateway.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictCodec;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.contract.Queues;
import io.mlqueue.data.Dataset;
import io.mlqueue.gateway.Predictor;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.service.ModelService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Request/reply calls through the embedded broker to real model workers. */
class AmqpPredictorTest {
  private static TestBroker broker;
  private static AmqpSettings settings;
  private final LinearModel model = BuiltInModel.get();
  private final Dataset data = Dataset.builtIn();
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
    settings = AmqpSettings.of(broker.uri());
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @BeforeEach
  void cleanQueues() throws Exception {
    broker.deleteQueues(Queues.PREDICT, Queues.deadLetterQueue(Queues.PREDICT));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private Connection connect(String name) throws Exception {
    Connection c = BrokerConnector.connect(settings, name);
    open.add(c);
    return c;
  }

  private ModelService worker() throws Exception {
    ModelService w = ModelService.start(connect("model"), settings, model);
    open.add(w);
    return w;
  }

  private AmqpPredictor gateway(SimpleMeterRegistry registry) throws Exception {
    AmqpPredictor p = AmqpPredictor.start(connect("gateway"), settings, registry);
    open.add(p);
    return p;
  }

  private PredictReply.Predictions call(Predictor p, PredictRequest r) throws Exception {
    return (PredictReply.Predictions) p.predict(r, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void answersWithTheModelsPredictionsInOrder() throws Exception {
    worker();
    AmqpPredictor gateway = gateway(new SimpleMeterRegistry());
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.readiness().ready());
    double[][] rows = {data.features(0), data.features(1), data.features(441)};
    PredictReply.Predictions reply =
        call(gateway, PredictRequest.positional(MessageId.of("r1"), rows));
    assertThat(reply.id()).isEqualTo(MessageId.of("r1"));
    assertThat(reply.model()).isEqualTo("diabetes-ols:builtin");
    assertThat(reply.predictions())
        .containsExactly(model.predict(rows[0]), model.predict(rows[1]), model.predict(rows[2]));
    assertThat(gateway.pendingCalls()).isZero();
  }

  @Test
  void namedFeaturesAreReorderedAndUnknownOnesRefusedInWords() throws Exception {
    worker();
    AmqpPredictor gateway = gateway(new SimpleMeterRegistry());
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.readiness().ready());
    List<String> reversed = new ArrayList<>(model.featureNames());
    java.util.Collections.reverse(reversed);
    double[] row = data.features(5);
    double[] reversedRow = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      reversedRow[i] = row[row.length - 1 - i];
    }
    PredictReply.Predictions ok =
        call(
            gateway, new PredictRequest(MessageId.of("n"), new double[][] {reversedRow}, reversed));
    assertThat(ok.predictions()).containsExactly(model.predict(row));

    List<String> wrong = new ArrayList<>(model.featureNames());
    wrong.set(3, "blood_pressure");
    PredictReply bad =
        gateway
            .predict(
                new PredictRequest(MessageId.of("b"), new double[][] {row}, wrong),
                Duration.ofSeconds(5))
            .get(10, TimeUnit.SECONDS);
    assertThat(bad).isInstanceOf(PredictReply.Failure.class);
    assertThat(((PredictReply.Failure) bad).kind()).isEqualTo(PredictReply.Kind.INVALID_INPUT);
    assertThat(((PredictReply.Failure) bad).message())
        .contains("unknown feature 'blood_pressure'; the model expects age, sex");

    PredictReply shortRow =
        gateway
            .predict(
                PredictRequest.positional(MessageId.of("s"), new double[][] {{1, 2}}),
                Duration.ofSeconds(5))
            .get(10, TimeUnit.SECONDS);
    assertThat(((PredictReply.Failure) shortRow).message()).contains("expected 10 features");
  }

  @Test
  void withoutAWorkerACallFailsAtOnce() throws Exception {
    AmqpPredictor gateway = gateway(new SimpleMeterRegistry());
    long start = System.nanoTime();
    CompletableFuture<PredictReply> call =
        gateway.predict(
            PredictRequest.positional(MessageId.of("x"), new double[][] {data.features(0)}),
            Duration.ofSeconds(5));
    assertThatThrownBy(() -> call.get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(Predictor.NoWorkerException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    assertThat(gateway.readiness().ready()).isFalse();
  }

  @Test
  void aCallWithoutAnAnswerTimesOutAndALateReplyIsDropped() throws Exception {
    // A "worker" that takes calls and answers only when told to.
    Channel stuck = connect("stuck").createChannel();
    stuck.queueDeclare(Queues.PREDICT, true, false, false, null);
    AtomicReference<AMQP.BasicProperties> held = new AtomicReference<>();
    stuck.basicConsume(
        Queues.PREDICT,
        true,
        new DefaultConsumer(stuck) {
          @Override
          public void handleDelivery(
              String tag, Envelope e, AMQP.BasicProperties props, byte[] body) {
            held.set(props);
          }
        });
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AmqpPredictor gateway = gateway(registry);
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.readiness().ready());

    CompletableFuture<PredictReply> call =
        gateway.predict(
            PredictRequest.positional(MessageId.of("t"), new double[][] {{1}}),
            Duration.ofMillis(300));
    assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutException.class);
    // The entry is forgotten by an action of the timed-out future, which may run just after the
    // waiter above is woken (CompletableFuture signals its waiters first).
    await().atMost(Duration.ofSeconds(2)).until(() -> gateway.pendingCalls() == 0);

    AMQP.BasicProperties props = await().until(held::get, p -> p != null);
    stuck.basicPublish(
        "",
        props.getReplyTo(),
        new AMQP.BasicProperties.Builder().correlationId(props.getCorrelationId()).build(),
        new PredictCodec()
            .encode(new PredictReply.Predictions(MessageId.of("t"), new double[] {1}, "m:1")));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> registry.counter("mlqueue.gateway.late.replies").count() == 1);
  }

  @Test
  void twoGatewaysAndTwoWorkersNeverCrossAnswers() throws Exception {
    ModelService w1 = worker();
    ModelService w2 = worker();
    AmqpPredictor g1 = gateway(new SimpleMeterRegistry());
    AmqpPredictor g2 = gateway(new SimpleMeterRegistry());
    await().atMost(Duration.ofSeconds(5)).until(() -> g1.readiness().workers() == 2);
    List<CompletableFuture<PredictReply>> calls = new ArrayList<>();
    List<Integer> rowOf = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      int row = (i * 7) % data.size();
      AmqpPredictor g = i % 2 == 0 ? g1 : g2;
      calls.add(
          g.predict(
              PredictRequest.positional(MessageId.of("c" + i), new double[][] {data.features(row)}),
              Duration.ofSeconds(20)));
      rowOf.add(row);
    }
    for (int i = 0; i < calls.size(); i++) {
      PredictReply.Predictions reply =
          (PredictReply.Predictions) calls.get(i).get(30, TimeUnit.SECONDS);
      assertThat(reply.id()).isEqualTo(MessageId.of("c" + i));
      assertThat(reply.predictions()).containsExactly(model.predict(data.features(rowOf.get(i))));
    }
    assertThat(g1.pendingCalls() + g2.pendingCalls()).isZero();
  }

  @Test
  void callsThatWaitTogetherShareMessagesOnlyWithCallsOfTheirShape() throws Exception {
    worker();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AmqpPredictor gateway = gateway(registry);
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.readiness().ready());
    List<String> reversed = new ArrayList<>(model.featureNames());
    java.util.Collections.reverse(reversed);
    List<CompletableFuture<PredictReply>> calls = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      double[] row = data.features(i % data.size());
      PredictRequest request =
          switch (i % 4) {
            case 0 -> PredictRequest.positional(MessageId.of("one" + i), new double[][] {row});
            case 1 ->
                PredictRequest.positional(
                    MessageId.of("two" + i), new double[][] {row, data.features(0)});
            case 2 ->
                PredictRequest.positional(MessageId.of("short" + i), new double[][] {{1, 2, 3}});
            default ->
                new PredictRequest(
                    MessageId.of("named" + i), new double[][] {reverse(row)}, reversed);
          };
      calls.add(gateway.predict(request, Duration.ofSeconds(20)));
    }
    for (int i = 0; i < calls.size(); i++) {
      PredictReply reply = calls.get(i).get(30, TimeUnit.SECONDS);
      double[] row = data.features(i % data.size());
      switch (i % 4) {
        case 0 ->
            assertThat(((PredictReply.Predictions) reply).predictions())
                .containsExactly(model.predict(row));
        case 1 ->
            assertThat(((PredictReply.Predictions) reply).predictions())
                .containsExactly(model.predict(row), model.predict(data.features(0)));
        case 2 ->
            assertThat(((PredictReply.Failure) reply).message()).contains("expected 10 features");
        default ->
            assertThat(((PredictReply.Predictions) reply).predictions())
                .containsExactly(model.predict(row));
      }
      assertThat(reply.id().text()).endsWith(Integer.toString(i));
    }
    DistributionSummary perMessage = registry.get("mlqueue.gateway.calls.per.message").summary();
    assertThat(perMessage.count()).as("messages sent").isLessThan(1_000);
    assertThat(gateway.pendingCalls()).isZero();
  }

  private static double[] reverse(double[] row) {
    double[] out = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      out[i] = row[row.length - 1 - i];
    }
    return out;
  }
}
