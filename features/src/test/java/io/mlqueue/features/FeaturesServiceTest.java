package io.mlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.FeatureRows;
import io.mlqueue.contract.FeaturesMessage;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.data.Dataset;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The features producer on the embedded broker. */
class FeaturesServiceTest {
  private static TestBroker broker;
  private static Connection connection;
  private final MessageCodec codec = new MessageCodec();
  private final Dataset data = Dataset.builtIn();

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
  void cleanQueues() throws Exception {
    broker.deleteQueues(Queues.FEATURES, Queues.Y_TRUE);
  }

  private Map<MessageId, Integer> run(long count, OptionalLong seed) throws Exception {
    Map<MessageId, Integer> sent = new LinkedHashMap<>();
    FeaturesService service =
        new FeaturesService(
            new FeaturesConfig(data, count, Pace.UNLIMITED, seed, 16),
            AmqpSettings.of(broker.uri()),
            connection,
            Clock.systemUTC(),
            sent::put);
    assertThat(service.run(Duration.ofSeconds(10))).isEqualTo(count);
    assertThat(service.confirmedMessages()).isEqualTo(2 * count);
    return sent;
  }

  @Test
  void sendsEachRowsFeaturesAndTrueAnswerUnderOneFreshId() throws Exception {
    Map<MessageId, Integer> sent = run(100, OptionalLong.empty());
    assertThat(sent).hasSize(100);

    Channel ch = connection.createChannel();
    Map<MessageId, FeaturesMessage> features = new HashMap<>();
    for (GetResponse r : drain(ch, Queues.FEATURES)) {
      FeaturesMessage m = codec.decodeFeatures(r.getBody());
      features.put(m.id(), m);
      assertThat(r.getProps().getDeliveryMode()).isEqualTo(2); // persistent
    }
    Map<MessageId, ValueMessage> truths = new HashMap<>();
    for (GetResponse r : drain(ch, Queues.Y_TRUE)) {
      ValueMessage m = codec.decodeValue(r.getBody());
      truths.put(m.id(), m);
    }
    assertThat(features.keySet()).isEqualTo(sent.keySet()).isEqualTo(truths.keySet());
    sent.forEach(
        (id, row) -> {
          assertThat(features.get(id).features()).containsExactly(data.features(row));
          assertThat(truths.get(id).value()).isEqualTo(data.target(row));
          assertThat(id.numeric()).isFalse();
        });
    ch.close();
  }

  @Test
  void aSeedRepeatsTheRowsButNeverTheIds() throws Exception {
    Map<MessageId, Integer> first = run(50, OptionalLong.of(7));
    Map<MessageId, Integer> second = run(50, OptionalLong.of(7));
    assertThat(new ArrayList<>(first.values())).isEqualTo(new ArrayList<>(second.values()));
    assertThat(first.keySet()).doesNotContainAnyElementsOf(second.keySet());
  }

  @Test
  void everyRowCanBeDrawnIncludingTheLast() throws Exception {
    // The course's randint(0, n - 1) never picks the last row; ours draws from all n.
    Map<MessageId, Integer> sent = run(5_000, OptionalLong.of(1));
    assertThat(new java.util.HashSet<>(sent.values()))
        .hasSize(data.size())
        .contains(data.size() - 1);
  }

  @Test
  void withABatchSendsBulkMessagesOfThatManyRowsAndTheRestInALastOne() throws Exception {
    Map<MessageId, Integer> sent = new LinkedHashMap<>();
    FeaturesService service =
        new FeaturesService(
            new FeaturesConfig(data, 250, Pace.UNLIMITED, OptionalLong.of(3), 16, 100),
            AmqpSettings.of(broker.uri()),
            connection,
            Clock.systemUTC(),
            sent::put);
    assertThat(service.run(Duration.ofSeconds(10))).isEqualTo(250);
    assertThat(service.confirmedMessages()).isEqualTo(6); // 3 features + 3 y_true messages

    Channel ch = connection.createChannel();
    List<FeatureRows> vectors = new ArrayList<>();
    for (GetResponse r : drain(ch, Queues.FEATURES)) {
      vectors.add(codec.decodeFeatureRows(r.getBody()));
    }
    List<ValueRows> truths = new ArrayList<>();
    for (GetResponse r : drain(ch, Queues.Y_TRUE)) {
      truths.add(codec.decodeValueRows(r.getBody()));
    }
    assertThat(vectors).extracting(FeatureRows::size).containsExactly(100, 100, 50);
    assertThat(truths).extracting(ValueRows::size).containsExactly(100, 100, 50);
    List<MessageId> order = new ArrayList<>(sent.keySet());
    int at = 0;
    for (int m = 0; m < 3; m++) {
      assertThat(vectors.get(m).bulk()).isTrue();
      assertThat(truths.get(m).ids()).containsExactly(vectors.get(m).ids());
      for (int i = 0; i < vectors.get(m).size(); i++, at++) {
        MessageId id = vectors.get(m).ids()[i];
        assertThat(id).isEqualTo(order.get(at));
        assertThat(vectors.get(m).features()[i]).containsExactly(data.features(sent.get(id)));
        assertThat(truths.get(m).values()[i]).isEqualTo(data.target(sent.get(id)));
      }
    }
    ch.close();
  }

  private static List<GetResponse> drain(Channel ch, String queue) throws IOException {
    List<GetResponse> all = new ArrayList<>();
    GetResponse r;
    while ((r = ch.basicGet(queue, true)) != null) {
      all.add(r);
    }
    return all;
  }
}
