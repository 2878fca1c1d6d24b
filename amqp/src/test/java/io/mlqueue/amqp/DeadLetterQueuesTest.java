package io.mlqueue.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.broker.EmbeddedBroker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Listing and replaying dead letters, on the embedded broker. */
class DeadLetterQueuesTest {
  private static EmbeddedBroker broker;
  private static AmqpSettings settings;
  private static Connection connection;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedBroker.start();
    settings = AmqpSettings.of(broker.amqpUri());
    connection = BrokerConnector.connect(settings, "test");
  }

  @AfterAll
  static void stop() throws Exception {
    connection.close();
    broker.close();
  }

  @Test
  void listShowsTheReasonsWithoutRemovingAndReplaySendsThemBack() throws Exception {
    QueueConsumer rejecting =
        QueueConsumer.open(connection, "svc", settings)
            .declare("replay.in")
            .consume("replay.in", m -> m.deadLetter("not today"));
    Channel ch = connection.createChannel();
    for (int i = 0; i < 3; i++) {
      ch.basicPublish("", "replay.in", Messages.PERSISTENT_JSON, ("m" + i).getBytes(UTF_8));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> DeadLetterQueues.count(connection, "replay.in.dlq") == 3);
    rejecting.close();

    List<DeadLetterQueues.Letter> letters = DeadLetterQueues.peek(connection, "replay.in.dlq", 10);
    assertThat(letters).hasSize(3);
    assertThat(letters)
        .allSatisfy(
            l -> {
              assertThat(l.reason()).isEqualTo("not today");
              assertThat(l.sourceQueue()).isEqualTo("replay.in");
              assertThat(l.service()).isEqualTo("svc");
              assertThat(l.at()).isNotNull();
              assertThat(l.replays()).isZero();
            });
    assertThat(DeadLetterQueues.count(connection, "replay.in.dlq"))
        .as("peek removes nothing")
        .isEqualTo(3);

    assertThat(DeadLetterQueues.replay(connection, "replay.in.dlq", 2)).isEqualTo(2);
    assertThat(DeadLetterQueues.count(connection, "replay.in.dlq")).isEqualTo(1);
    GetResponse back = ch.basicGet("replay.in", true);
    assertThat(new String(back.getBody(), UTF_8)).isEqualTo("m0");
    assertThat(back.getProps().getHeaders())
        .doesNotContainKeys(DeadLetters.REASON, DeadLetters.SOURCE_QUEUE)
        .containsEntry(DeadLetterQueues.REPLAYS, 1);
    assertThat(DeadLetterQueues.count(connection, "no.such.dlq")).isZero();
    ch.close();
  }
}
