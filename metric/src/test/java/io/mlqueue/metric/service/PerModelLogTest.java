package io.mlqueue.metric.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Messages;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import io.mlqueue.contract.ModelLog;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.metric.ModelQuality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code metric --model-log}: every model's rows by (id, model), on the embedded broker. */
class PerModelLogTest {
  private static TestBroker broker;
  private static Connection connection;
  private final MessageCodec codec = new MessageCodec();
  private final Set<String> announced = ConcurrentHashMap.newKeySet();
  @TempDir Path logDir;
  private Channel channel;
  private MetricService service;

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
    broker.deleteQueues(
        Queues.Y_TRUE,
        Queues.Y_PRED,
        Queues.Y_PRED_SHADOW,
        Queues.deadLetterQueue(Queues.Y_TRUE),
        Queues.deadLetterQueue(Queues.Y_PRED),
        Queues.deadLetterQueue(Queues.Y_PRED_SHADOW));
    channel = connection.createChannel();
    start();
  }

  @AfterEach
  void stop() throws Exception {
    if (service != null) {
      service.close();
    }
    channel.close();
  }

  private void start() throws IOException {
    MetricService.Config config =
        MetricService.Config.of(logDir)
            .withPerModel(
                MetricService.PerModelLog.on(
                    Duration.ofMinutes(5),
                    (t, p) -> t > p ? 2 * (t - p) : p - t,
                    (q, m) -> announced.add(m)));
    service =
        MetricService.start(connection, AmqpSettings.of(broker.uri()), config, Clock.systemUTC());
  }

  @Test
  void theChampionsLogStaysTheCourseWhileTheModelLogHoldsEveryModelsRow() throws Exception {
    // The shadow's prediction before the truth, then one after the champion's pair was logged.
    send(Queues.Y_PRED_SHADOW, "a", 95, "challenger:2");
    send(Queues.Y_TRUE, "a", 100, "");
    send(Queues.Y_PRED, "a", 90, "champion:1");
    awaitModelRows(2);
    send(Queues.Y_TRUE, "b", 50, "");
    send(Queues.Y_PRED, "b", 60, "champion:1");
    awaitModelRows(3);
    send(Queues.Y_PRED_SHADOW, "b", 52, "challenger:2");

    List<ModelLog.Row> rows = awaitModelRows(4);
    assertThat(rows)
        .extracting(r -> r.id() + " " + r.model() + " " + r.yTrue() + " " + r.yPred())
        .containsExactlyInAnyOrder(
            "a champion:1 100.0 90.0",
            "a challenger:2 100.0 95.0",
            "b champion:1 50.0 60.0",
            "b challenger:2 50.0 52.0");
    // metric_log.csv: the champion's rows alone, as the course's metric writes them.
    assertThat(Files.readAllLines(logDir.resolve(MetricLog.FILE_NAME)))
        .containsExactlyInAnyOrder(MetricLog.HEADER, "a,100.0,90.0,10.0", "b,50.0,60.0,10.0");
    ModelQuality quality = service.quality();
    await().atMost(Duration.ofSeconds(5)).until(() -> announced.size() == 2);
    assertThat(quality.total("champion:1").mae()).isEqualTo(10);
    assertThat(quality.total("challenger:2").mae()).isEqualTo(3.5);
    assertThat(quality.window("challenger:2").count()).isEqualTo(2);
    // Under-prediction costs 2 a unit, over-prediction 1: 2*10 + 10 and 2*5 + 2.
    assertThat(quality.total("champion:1").cost()).isEqualTo(30);
    assertThat(quality.total("challenger:2").cost()).isEqualTo(12);
    assertThat(leftAfterStop(Queues.Y_PRED_SHADOW)).isZero();
  }

  @Test
  void aRedeliveredShadowPredictionGetsNoSecondRowAndTruthsSurviveARestart() throws Exception {
    send(Queues.Y_TRUE, "c", 10, "");
    send(Queues.Y_PRED, "c", 12, "champion:1");
    send(Queues.Y_PRED_SHADOW, "c", 11, "challenger:2");
    awaitModelRows(2);
    send(Queues.Y_PRED_SHADOW, "c", 11, "challenger:2"); // a copy: a publisher's retry

    service.close();
    start(); // the truth of "c" comes back from model_log.csv
    send(Queues.Y_PRED_SHADOW, "c", 9, "challenger:3"); // the alias moved meanwhile
    List<ModelLog.Row> rows = awaitModelRows(3);
    assertThat(rows)
        .extracting(r -> r.model() + " " + r.yPred())
        .containsExactlyInAnyOrder("champion:1 12.0", "challenger:2 11.0", "challenger:3 9.0");
    // Reloaded rows count in the cumulative figures.
    assertThat(service.quality().total("challenger:2").count()).isEqualTo(1);
    assertThat(leftAfterStop(Queues.Y_PRED_SHADOW)).isZero();
    assertThat(readModelRows()).hasSize(3);
  }

  @Test
  void aBulkShadowMessagePairsRowByRowAndOneWithoutAModelIsDeadLettered() throws Exception {
    channel.basicPublish(
        "",
        Queues.Y_PRED_SHADOW,
        Messages.PERSISTENT_JSON,
        codec.encode(
            new ValueRows(
                new MessageId[] {MessageId.of("x"), MessageId.of("y")},
                new double[] {1, 2},
                "challenger:2",
                0,
                true)));
    send(Queues.Y_TRUE, "x", 1.5, "");
    send(Queues.Y_TRUE, "y", 2.5, "");
    send(Queues.Y_PRED_SHADOW, "z", 3, "");
    awaitModelRows(2);
    assertThat(TestBroker.take(channel, Queues.deadLetterQueue(Queues.Y_PRED_SHADOW), 1))
        .hasSize(1);
    assertThat(leftAfterStop(Queues.Y_PRED_SHADOW)).isZero();
  }

  /**
   * Stops the service, which gives back whatever it has not acked, and says what is left in {@code
   * queue}: zero when every message of it was settled.
   */
  private long leftAfterStop(String queue) throws Exception {
    service.close();
    service = null;
    return channel.queueDeclarePassive(queue).getMessageCount();
  }

  private void send(String queue, String id, double value, String model) throws IOException {
    channel.basicPublish(
        "",
        queue,
        Messages.PERSISTENT_JSON,
        codec.encode(new ValueMessage(MessageId.of(id), value, model, 0)));
  }

  private List<ModelLog.Row> awaitModelRows(int n) throws IOException {
    await().atMost(Duration.ofSeconds(10)).until(() -> readModelRows().size() >= n);
    return readModelRows();
  }

  private List<ModelLog.Row> readModelRows() throws IOException {
    Path file = logDir.resolve(ModelLog.FILE_NAME);
    return Files.exists(file) ? ModelLog.read(file).rows() : List.of();
  }
}
