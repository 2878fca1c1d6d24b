package io.mlqueue.model.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.DeadLetters;
import io.mlqueue.amqp.Messages;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.FeatureRows;
import io.mlqueue.contract.FeaturesMessage;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.contract.WireFormat;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The model worker on the embedded broker. */
class ModelServiceTest {
  private static TestBroker broker;
  private static Connection connection;
  private final MessageCodec codec = new MessageCodec();
  private final LinearModel model = BuiltInModel.get();
  private Channel channel;
  private ModelService service;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
    connection = broker.connection();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @BeforeEach
  void startService() throws Exception {
    broker.deleteQueues(
        Queues.FEATURES,
        Queues.Y_PRED,
        Queues.PREDICT,
        REPLIES,
        Queues.deadLetterQueue(Queues.FEATURES),
        Queues.deadLetterQueue(Queues.Y_PRED),
        Queues.deadLetterQueue(Queues.PREDICT));
    channel = connection.createChannel();
    service = ModelService.start(connection, AmqpSettings.of(broker.uri()), model);
  }

  @AfterEach
  void stopService() throws Exception {
    service.close();
    channel.close();
  }

  @Test
  void predictsEveryVectorUnderItsOwnId() throws Exception {
    Dataset data = Dataset.builtIn();
    List<MessageId> ids = new ArrayList<>();
    for (int row = 0; row < 20; row++) {
      MessageId id =
          row % 2 == 0 ? MessageId.random() : MessageId.ofNumber("17000000" + row + ".25");
      ids.add(id);
      publish(Queues.FEATURES, codec.encode(new FeaturesMessage(id, data.features(row), 42L)));
    }
    List<ValueMessage> predictions = new ArrayList<>();
    for (byte[] body : take(Queues.Y_PRED, 20)) {
      predictions.add(codec.decodeValue(body));
    }
    for (int row = 0; row < 20; row++) {
      MessageId id = ids.get(row);
      ValueMessage p =
          predictions.stream().filter(v -> v.id().equals(id)).findFirst().orElseThrow();
      assertThat(p.value()).isEqualTo(model.predict(data.features(row)));
      assertThat(p.model()).isEqualTo("diabetes-ols:builtin");
      assertThat(p.sentAtMillis()).isEqualTo(42L);
    }
    assertThat(service.predictions()).isEqualTo(20);
  }

  @Test
  void deadLettersInvalidVectorsWithTheReasonAndKeepsWorking() throws Exception {
    String[] bad = {
      "not json",
      "{\"id\": \"short\", \"body\": [1, 2, 3]}",
      "{\"id\": \"nan\", \"body\": [NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0]}",
      "{\"id\": \"strings\", \"body\": [\"a\", 0, 0, 0, 0, 0, 0, 0, 0, 0]}",
      "{\"body\": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}",
      "{\"id\": \"huge\", \"body\": [1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308,"
          + " 1e308, 1e308]}",
    };
    for (String b : bad) {
      publish(Queues.FEATURES, b.getBytes(UTF_8));
    }
    publish(
        Queues.FEATURES,
        codec.encode(new FeaturesMessage(MessageId.of("good"), new double[10], 0)));

    List<GetResponse> dead = takeResponses(Queues.deadLetterQueue(Queues.FEATURES), bad.length);
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < dead.size(); i++) {
      GetResponse r = dead.get(i);
      assertThat(new String(r.getBody(), UTF_8)).isEqualTo(bad[i]); // body kept as it was
      assertThat(r.getProps().getHeaders().get(DeadLetters.SOURCE_QUEUE).toString())
          .isEqualTo(Queues.FEATURES);
      reasons.add(r.getProps().getHeaders().get(DeadLetters.REASON).toString());
    }
    assertThat(reasons.get(0)).contains("not valid JSON");
    assertThat(reasons.get(1)).contains("expected 10 features");
    assertThat(reasons.get(2)).contains("not a finite number");
    assertThat(reasons.get(3)).contains("body[0] must be a number");
    assertThat(reasons.get(4)).contains("missing field \"id\"");
    assertThat(reasons.get(5)).contains("the prediction is not a finite number");

    ValueMessage good = codec.decodeValue(take(Queues.Y_PRED, 1).get(0));
    assertThat(good.id()).isEqualTo(MessageId.of("good"));
    assertThat(good.value()).isEqualTo(model.intercept());
    assertThat(service.rejected()).isEqualTo(bad.length);
  }

  @Test
  void answersABulkMessageWithOneBulkPredictionInTheSameOrder() throws Exception {
    Dataset data = Dataset.builtIn();
    MessageId[] ids = new MessageId[50];
    double[][] rows = new double[50][];
    for (int i = 0; i < 50; i++) {
      ids[i] = i == 7 ? MessageId.ofNumber("1700000000.5") : MessageId.random();
      rows[i] = data.features(i);
    }
    publish(Queues.FEATURES, codec.encode(new FeatureRows(ids, rows, 42L, true)));
    publish(
        Queues.FEATURES,
        codec.encode(new FeaturesMessage(MessageId.of("single"), data.features(0), 0)));

    List<byte[]> out = take(Queues.Y_PRED, 2);
    ValueRows bulk = codec.decodeValueRows(out.get(0));
    assertThat(bulk.bulk()).isTrue();
    assertThat(bulk.ids()).containsExactly(ids);
    for (int i = 0; i < 50; i++) {
      assertThat(bulk.values()[i]).isCloseTo(model.predict(rows[i]), within(1e-9));
    }
    assertThat(bulk.model()).isEqualTo("diabetes-ols:builtin");
    assertThat(bulk.sentAtMillis()).isEqualTo(42L);
    assertThat(codec.decodeValueRows(out.get(1)).bulk()).isFalse(); // answered in kind
    assertThat(service.predictions()).isEqualTo(51);
  }

  @Test
  void aCborMessageIsAnsweredInCborAndJsonBesideItInJson() throws Exception {
    Dataset data = Dataset.builtIn();
    MessageCodec cbor = codec.in(WireFormat.CBOR);
    MessageId[] ids = new MessageId[100];
    double[][] rows = new double[100][];
    for (int i = 0; i < 100; i++) {
      ids[i] = MessageId.random();
      rows[i] = data.features(i);
    }
    channel.basicPublish(
        "",
        Queues.FEATURES,
        Messages.PERSISTENT_CBOR,
        cbor.encode(new FeatureRows(ids, rows, 42L, true)));
    publish(
        Queues.FEATURES,
        codec.encode(new FeaturesMessage(MessageId.of("json"), data.features(0), 0)));

    List<GetResponse> out = takeResponses(Queues.Y_PRED, 2);
    assertThat(out.get(0).getProps().getContentType()).isEqualTo("application/cbor");
    assertThat(out.get(0).getProps().getDeliveryMode()).isEqualTo(2);
    ValueRows bulk = cbor.decodeValueRows(out.get(0).getBody());
    assertThat(bulk.ids()).containsExactly(ids);
    for (int i = 0; i < 100; i++) {
      // The same double as a JSON message gives: no decimal text on either side.
      assertThat(bulk.values()[i]).isEqualTo(model.predict(rows[i]));
    }
    assertThat(bulk.sentAtMillis()).isEqualTo(42L);
    assertThat(out.get(1).getProps().getContentType()).isEqualTo("application/json");
    assertThat(codec.decodeValue(out.get(1).getBody()).id()).isEqualTo(MessageId.of("json"));
  }

  @Test
  void jsonSentAsCborIsDeadLetteredAsIsWithAReasonNamingCbor() throws Exception {
    byte[] body = codec.encode(new FeaturesMessage(MessageId.of("mislabelled"), new double[10], 0));
    channel.basicPublish("", Queues.FEATURES, Messages.PERSISTENT_CBOR, body);

    GetResponse dead = takeResponses(Queues.deadLetterQueue(Queues.FEATURES), 1).get(0);
    assertThat(dead.getBody()).isEqualTo(body);
    assertThat(dead.getProps().getContentType()).isEqualTo("application/cbor");
    assertThat(dead.getProps().getHeaders().get(DeadLetters.REASON).toString())
        .contains("expected a CBOR object");
  }

  @Test
  void aBulkMessageWithOneBadRowIsDeadLetteredWholeNamingTheRow() throws Exception {
    MessageId[] ids = {MessageId.of("ok"), MessageId.of("short")};
    double[][] rows = {new double[10], new double[3]};
    byte[] body = codec.encode(new FeatureRows(ids, rows, 0, true));
    publish(Queues.FEATURES, body);

    GetResponse dead = takeResponses(Queues.deadLetterQueue(Queues.FEATURES), 1).get(0);
    assertThat(dead.getBody()).isEqualTo(body);
    assertThat(dead.getProps().getHeaders().get(DeadLetters.REASON).toString())
        .contains("row 1 (id short): expected 10 features");
    assertThat(service.predictions()).isZero();
  }

  @Test
  void refusesABodyOverTheLimitUnparsedNamingItsSizeAndTheOption() throws Exception {
    service.close();
    service =
        ModelService.start(
            connection,
            AmqpSettings.of(broker.uri()),
            model,
            new ModelService.Config(
                64,
                java.time.Duration.ZERO,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
                1_000));
    byte[] big = new byte[5_000]; // zeros: not JSON either, but the size is what is said
    publish(Queues.FEATURES, big);
    publish(
        Queues.FEATURES,
        codec.encode(new FeaturesMessage(MessageId.of("small"), new double[10], 0)));

    GetResponse dead = takeResponses(Queues.deadLetterQueue(Queues.FEATURES), 1).get(0);
    assertThat(dead.getBody()).isEqualTo(big);
    assertThat(dead.getProps().getHeaders().get(DeadLetters.REASON).toString())
        .endsWith("message of 5000 bytes is over the limit of 1000 bytes (--max-message-bytes)");
    assertThat(codec.decodeValue(take(Queues.Y_PRED, 1).get(0)).id())
        .isEqualTo(MessageId.of("small"));
  }

  @Test
  void aPredictRequestWhoseAnswerNobodyCouldTakeIsDeadLetteredAnyOtherBadOneAnswered()
      throws Exception {
    channel.queueDeclare(REPLIES, false, false, false, null);
    byte[] good = "{\"id\": \"r\", \"instances\": [[0,0,0,0,0,0,0,0,0,0]]}".getBytes(UTF_8);
    channel.basicPublish(
        "", Queues.PREDICT, Messages.TRANSIENT_JSON.builder().correlationId("c-1").build(), good);
    channel.basicPublish(
        "", Queues.PREDICT, Messages.TRANSIENT_JSON.builder().replyTo(REPLIES).build(), good);
    channel.basicPublish(
        "",
        Queues.PREDICT,
        Messages.TRANSIENT_JSON.builder().replyTo(REPLIES).correlationId("c-3").build(),
        "{\"id\": \"bad\", \"instances\": [[1, 2]]}".getBytes(UTF_8));

    List<GetResponse> dead = takeResponses(Queues.deadLetterQueue(Queues.PREDICT), 2);
    assertThat(dead)
        .extracting(r -> r.getProps().getHeaders().get(DeadLetters.REASON).toString())
        .containsExactlyInAnyOrder(
            "a predict request needs reply_to: nobody could receive the answer",
            "a predict request needs correlation_id: its caller could not tell the answer was its own");
    GetResponse answer = takeResponses(REPLIES, 1).get(0);
    assertThat(answer.getProps().getCorrelationId()).isEqualTo("c-3");
    assertThat(new String(answer.getBody(), UTF_8))
        .contains("\"id\":\"bad\"")
        .contains("invalid_input")
        .contains("expected 10 features");
  }

  private static final String REPLIES = "model-test-replies";

  private void publish(String queue, byte[] body) throws Exception {
    channel.basicPublish("", queue, Messages.PERSISTENT_JSON, body);
  }

  private List<byte[]> take(String queue, int n) throws Exception {
    return takeResponses(queue, n).stream().map(GetResponse::getBody).toList();
  }

  private List<GetResponse> takeResponses(String queue, int n) throws Exception {
    return TestBroker.take(channel, queue, n);
  }
}
