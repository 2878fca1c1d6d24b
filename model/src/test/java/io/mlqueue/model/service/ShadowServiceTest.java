package io.mlqueue.model.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Messages;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.FeatureRows;
import io.mlqueue.contract.FeaturesMessage;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A worker with a challenger in shadow ({@code model --shadow}), on the embedded broker. */
class ShadowServiceTest {
  private static TestBroker broker;
  private static Connection connection;
  private final MessageCodec codec = new MessageCodec();
  private final LinearModel champion = BuiltInModel.get();
  private final LinearModel challenger = halved(champion, "challenger", "1");
  private LiveModel shadowLive;
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
        Queues.Y_PRED_SHADOW,
        Queues.PREDICT,
        Queues.deadLetterQueue(Queues.FEATURES),
        Queues.deadLetterQueue(Queues.Y_PRED),
        Queues.deadLetterQueue(Queues.Y_PRED_SHADOW),
        Queues.deadLetterQueue(Queues.PREDICT));
    channel = connection.createChannel();
    shadowLive = new LiveModel(challenger);
    service =
        ModelService.start(
            connection,
            AmqpSettings.of(broker.uri()),
            new LiveModel(champion),
            Shadow.of(shadowLive),
            ModelService.Config.defaults());
  }

  @AfterEach
  void stopService() throws Exception {
    service.close();
    channel.close();
  }

  @Test
  void everyMessageIsPredictedByBothTheChampionOnYPredAndTheChallengerOnYPredShadow()
      throws Exception {
    Dataset data = Dataset.builtIn();
    for (int row = 0; row < 10; row++) {
      publish(new FeaturesMessage(MessageId.of("r" + row), data.features(row), 7L));
    }
    List<byte[]> champions =
        TestBroker.take(channel, Queues.Y_PRED, 10).stream().map(r -> r.getBody()).toList();
    List<byte[]> shadows =
        TestBroker.take(channel, Queues.Y_PRED_SHADOW, 10).stream().map(r -> r.getBody()).toList();
    for (int i = 0; i < 10; i++) {
      ValueMessage c = codec.decodeValue(champions.get(i));
      ValueMessage s = codec.decodeValue(shadows.get(i));
      int row = Integer.parseInt(c.id().text().substring(1));
      // The champion's message is byte for byte what a worker without a shadow publishes.
      assertThat(champions.get(i))
          .isEqualTo(
              codec.encode(
                  new ValueMessage(
                      c.id(), champion.predict(data.features(row)), champion.id(), 7L)));
      assertThat(c.model()).isEqualTo("diabetes-ols:builtin");
      int shadowRow = Integer.parseInt(s.id().text().substring(1));
      assertThat(s.value()).isEqualTo(challenger.predict(data.features(shadowRow)));
      assertThat(s.model()).isEqualTo("challenger:1");
      assertThat(s.sentAtMillis()).isEqualTo(7L);
    }
  }

  @Test
  void aBulkMessageIsAnsweredInBulkByBoth() throws Exception {
    Dataset data = Dataset.builtIn();
    MessageId[] ids = {MessageId.of("a"), MessageId.of("b"), MessageId.of("c")};
    double[][] rows = {data.features(0), data.features(1), data.features(2)};
    channel.basicPublish(
        "",
        Queues.FEATURES,
        Messages.PERSISTENT_JSON,
        codec.encode(new FeatureRows(ids, rows, 9L, true)));
    ValueRows c =
        codec.decodeValueRows(TestBroker.take(channel, Queues.Y_PRED, 1).get(0).getBody());
    ValueRows s =
        codec.decodeValueRows(TestBroker.take(channel, Queues.Y_PRED_SHADOW, 1).get(0).getBody());
    assertThat(c.bulk()).isTrue();
    assertThat(s.bulk()).isTrue();
    assertThat(s.ids()).containsExactly(ids);
    assertThat(s.model()).isEqualTo("challenger:1");
    for (int i = 0; i < 3; i++) {
      assertThat(c.values()[i]).isEqualTo(champion.predict(rows[i]));
      assertThat(s.values()[i]).isEqualTo(challenger.predict(rows[i]));
    }
  }

  @Test
  void theChallengerSwapsLiveAndEachPredictionNamesTheVersionThatMadeIt() throws Exception {
    Dataset data = Dataset.builtIn();
    publish(new FeaturesMessage(MessageId.of("before"), data.features(0), 0));
    assertThat(
            codec
                .decodeValue(TestBroker.take(channel, Queues.Y_PRED_SHADOW, 1).get(0).getBody())
                .model())
        .isEqualTo("challenger:1");
    assertThat(shadowLive.swap(halved(champion, "challenger", "2"))).isEmpty();
    publish(new FeaturesMessage(MessageId.of("after"), data.features(0), 0));
    ValueMessage after =
        codec.decodeValue(TestBroker.take(channel, Queues.Y_PRED_SHADOW, 1).get(0).getBody());
    assertThat(after.id()).isEqualTo(MessageId.of("after"));
    assertThat(after.model()).isEqualTo("challenger:2");
    TestBroker.take(channel, Queues.Y_PRED, 2);
  }

  private void publish(FeaturesMessage message) throws Exception {
    channel.basicPublish("", Queues.FEATURES, Messages.PERSISTENT_JSON, codec.encode(message));
  }

  /** The champion with every coefficient halved: another model reading the same features. */
  private static LinearModel halved(LinearModel m, String name, String version) {
    double[] c = m.coefficients();
    for (int i = 0; i < c.length; i++) {
      c[i] /= 2;
    }
    return new LinearModel(name, version, m.featureNames(), m.targetName(), m.intercept(), c, null);
  }
}
