package io.mlqueue.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.amqp.DeadLetters;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.Queues;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code dead-letters} on the embedded broker: the queues of shadow, canary and feedback traffic
 * are listed and replayed like the stream's, and a dead-letter queue nobody declared is no error.
 */
class DeadLettersCommandTest {
  private static TestBroker broker;
  private static Connection connection;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
    connection = broker.connection();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @Test
  void listsAndReplaysTheShadowQueuesLettersAndSkipsQueuesNeverDeclared() throws Exception {
    try (Channel channel = connection.createChannel()) {
      channel.queueDeclare(Queues.Y_PRED_SHADOW, true, false, false, null);
      String dlq = Queues.deadLetterQueue(Queues.Y_PRED_SHADOW);
      channel.queueDeclare(dlq, true, false, false, null);
      channel.basicPublish(
          "",
          dlq,
          new AMQP.BasicProperties.Builder()
              .headers(
                  Map.of(
                      DeadLetters.REASON,
                      "a y_pred_shadow message must name its model",
                      DeadLetters.SERVICE,
                      "metric"))
              .build(),
          "{\"id\": \"a\", \"body\": 1}".getBytes(UTF_8));

      CommandRun list =
          CommandRun.of(
              "dead-letters", "list", "--queue", "y_pred_shadow", "--amqp-uri", broker.uri());
      assertThat(list.exit()).as(list.err()).isZero();
      assertThat(list.out())
          .contains("y_pred_shadow.dlq: 1 dead letter")
          .contains("by metric: a y_pred_shadow message must name its model");

      CommandRun replay = CommandRun.of("dead-letters", "replay", "--amqp-uri", broker.uri());
      assertThat(replay.exit()).as(replay.err()).isZero();
      assertThat(replay.out())
          .contains("y_pred_shadow.dlq: replayed 1")
          .contains("predict.challenger.dlq: replayed 0")
          .contains("y_true_feedback.dlq: replayed 0");
      GetResponse back = channel.basicGet(Queues.Y_PRED_SHADOW, true);
      assertThat(back).isNotNull();
      assertThat(new String(back.getBody(), UTF_8)).isEqualTo("{\"id\": \"a\", \"body\": 1}");
    }
  }
}
