package io.mlqueue.metric.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.DeadLetters;
import io.mlqueue.amqp.Messages;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.contract.WireFormat;
import io.mlqueue.metric.MetricLogWriter;
import io.mlqueue.metric.PairingBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metric service on the embedded broker. */
class MetricServiceTest {
  private static TestBroker broker;
  private static Connection connection;
  private final MessageCodec codec = new MessageCodec();
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
        Queues.deadLetterQueue(Queues.Y_TRUE),
        Queues.deadLetterQueue(Queues.Y_PRED));
    channel = connection.createChannel();
  }

  @AfterEach
  void stop() throws Exception {
    if (service != null) {
      service.close();
    }
    channel.close();
  }

  private MetricService start(MetricService.Config config) throws IOException {
    service =
        MetricService.start(connection, AmqpSettings.of(broker.uri()), config, Clock.systemUTC());
    return service;
  }

  @Test
  void pairsHalvesInEitherOrderIntoOneRowEach() throws Exception {
    start(MetricService.Config.of(logDir));
    send(Queues.Y_TRUE, MessageId.of("a"), 100);
    send(Queues.Y_PRED, MessageId.of("a"), 90.5);
    send(Queues.Y_PRED, MessageId.ofNumber("1700000000.5"), 40);
    send(Queues.Y_TRUE, MessageId.ofNumber("1700000000.5"), 50);

    Map<String, MetricLog.Row> rows = awaitRows(2);
    assertThat(rows.get("a")).isEqualTo(MetricLog.Row.of("a", 100, 90.5));
    assertThat(rows.get("1700000000.5")).isEqualTo(MetricLog.Row.of("1700000000.5", 50, 40));
    assertThat(Files.readAllLines(logFile()).get(0)).isEqualTo(MetricLog.HEADER);
    await().atMost(Duration.ofSeconds(5)).until(() -> service.metrics().count() == 2);
    assertThat(service.metrics().mae()).isEqualTo(9.75); // (9.5 + 10) / 2
  }

  @Test
  void tellsHowLongEachPairTookFromSentAtToItsRowWhenTheMessagesSay() throws Exception {
    List<Long> delays = new CopyOnWriteArrayList<>();
    start(MetricService.Config.of(logDir).withPairDelays(delays::add));
    long sentAt = System.currentTimeMillis() - 1_500;
    channel.basicPublish(
        "",
        Queues.Y_TRUE,
        Messages.PERSISTENT_JSON,
        codec.encode(new ValueMessage(MessageId.of("timed"), 1, "", sentAt)));
    channel.basicPublish(
        "",
        Queues.Y_PRED,
        Messages.PERSISTENT_JSON,
        codec.encode(new ValueMessage(MessageId.of("timed"), 2, "m:1", sentAt)));
    send(Queues.Y_TRUE, MessageId.of("course"), 1); // no sent_at, as the course sends
    send(Queues.Y_PRED, MessageId.of("course"), 2);

    awaitRows(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> !delays.isEmpty());
    assertThat(delays).singleElement().satisfies(d -> assertThat(d).isBetween(1_500L, 11_500L));
  }

  @Test
  void aRedeliveredPairNeverMakesASecondRowAlsoAfterARestart() throws Exception {
    start(MetricService.Config.of(logDir));
    send(Queues.Y_TRUE, MessageId.of("x"), 1);
    send(Queues.Y_PRED, MessageId.of("x"), 2);
    awaitRows(1);
    send(Queues.Y_TRUE, MessageId.of("x"), 1); // as if redelivered
    send(Queues.Y_PRED, MessageId.of("x"), 2);
    awaitQueuesEmpty();
    service.close();

    start(MetricService.Config.of(logDir));
    send(Queues.Y_PRED, MessageId.of("x"), 2);
    send(Queues.Y_TRUE, MessageId.of("x"), 1);
    send(Queues.Y_TRUE, MessageId.of("y"), 3);
    send(Queues.Y_PRED, MessageId.of("y"), 3);
    awaitRows(2);
    awaitQueuesEmpty();
    assertThat(Files.readAllLines(logFile())).hasSize(3); // header, x, y
  }

  @Test
  void deadLettersMalformedValuesWithTheReason() throws Exception {
    start(MetricService.Config.of(logDir));
    channel.basicPublish(
        "",
        Queues.Y_TRUE,
        Messages.PERSISTENT_JSON,
        "{\"id\": \"a\", \"body\": [1]}".getBytes(UTF_8));
    channel.basicPublish(
        "",
        Queues.Y_PRED,
        Messages.PERSISTENT_JSON,
        "{\"id\": \"a\", \"body\": NaN}".getBytes(UTF_8));
    channel.basicPublish("", Queues.Y_PRED, Messages.PERSISTENT_JSON, "\"id\":".getBytes(UTF_8));

    assertThat(reason(take(Queues.deadLetterQueue(Queues.Y_TRUE))))
        .contains("invalid y_true message: body must be a number, got a list");
    assertThat(reason(take(Queues.deadLetterQueue(Queues.Y_PRED))))
        .contains("invalid y_pred message: body is not a finite number");
    assertThat(reason(take(Queues.deadLetterQueue(Queues.Y_PRED))))
        .contains("invalid y_pred message");
    assertThat(Files.readAllLines(logFile())).containsExactly(MetricLog.HEADER);
  }

  @Test
  void refusesABodyOverTheLimitUnparsedAndPairsTheRest() throws Exception {
    start(MetricService.Config.of(logDir).withMaxMessageBytes(1_000));
    byte[] big =
        ("{\"id\": \"big\", \"body\": 1, \"pad\": \"" + "x".repeat(2_000) + "\"}").getBytes(UTF_8);
    channel.basicPublish("", Queues.Y_PRED, Messages.PERSISTENT_JSON, big);
    send(Queues.Y_TRUE, MessageId.of("small"), 1);
    send(Queues.Y_PRED, MessageId.of("small"), 2);

    assertThat(reason(take(Queues.deadLetterQueue(Queues.Y_PRED))))
        .isEqualTo(
            "invalid y_pred message: message of "
                + big.length
                + " bytes is over the limit of 1000 bytes (--max-message-bytes)");
    assertThat(awaitRows(1)).containsOnlyKeys("small");
  }

  @Test
  void pairsBulkMessagesRowByRowAlsoWithSingleRowPartners() throws Exception {
    start(MetricService.Config.of(logDir));
    MessageId[] ids = new MessageId[100];
    double[] truths = new double[100];
    for (int i = 0; i < 100; i++) {
      ids[i] = MessageId.of("b" + i);
      truths[i] = i;
    }
    channel.basicPublish(
        "",
        Queues.Y_TRUE,
        Messages.PERSISTENT_JSON,
        codec.encode(new ValueRows(ids, truths, "", 0, true)));
    // Predictions in two bulk messages, out of order, and one row alone in the course's form.
    channel.basicPublish(
        "",
        Queues.Y_PRED,
        Messages.PERSISTENT_JSON,
        codec.encode(
            new ValueRows(
                Arrays.copyOfRange(ids, 50, 100),
                Arrays.copyOfRange(truths, 50, 100),
                "m:1",
                0,
                true)));
    channel.basicPublish(
        "",
        Queues.Y_PRED,
        Messages.PERSISTENT_JSON,
        codec.encode(
            new ValueRows(
                Arrays.copyOfRange(ids, 1, 50),
                Arrays.copyOfRange(truths, 1, 50),
                "m:1",
                0,
                true)));
    send(Queues.Y_PRED, ids[0], 10);

    Map<String, MetricLog.Row> rows = awaitRows(100);
    assertThat(rows).hasSize(100);
    assertThat(rows.get("b0")).isEqualTo(MetricLog.Row.of("b0", 0, 10));
    assertThat(rows.get("b99")).isEqualTo(MetricLog.Row.of("b99", 99, 99));
    awaitQueuesEmpty(); // every message acked once all its rows were written
  }

  @Test
  void holdsABulkBacklogsHalvesUpToMaxPendingRowsNotMessagesAndStillPairsItAll() throws Exception {
    // A backlog of 60 y_true messages of 100 rows each, with no predictions yet: a prefetch of
    // --max-pending + 1 messages would take all 6,000 rows into memory.
    int maxPending = 1_000;
    int messages = 60;
    int rowsPerMessage = 100;
    start(
        new MetricService.Config(
            logDir,
            new PairingBuffer.Config(maxPending, Duration.ofMinutes(10)),
            MetricLogWriter.Config.DEFAULT,
            Duration.ZERO));
    MessageId[][] ids = new MessageId[messages][rowsPerMessage];
    for (int m = 0; m < messages; m++) {
      double[] truths = new double[rowsPerMessage];
      for (int r = 0; r < rowsPerMessage; r++) {
        ids[m][r] = MessageId.of("m" + m + "r" + r);
        truths[r] = r;
      }
      channel.basicPublish(
          "",
          Queues.Y_TRUE,
          Messages.PERSISTENT_JSON,
          codec.encode(new ValueRows(ids[m], truths, "", System.currentTimeMillis(), true)));
    }
    // One message first, then maxPending / 100 + 1 = 11 at a time.
    int heldAtMost = (1 + RowPrefetch.messagesFor(maxPending, rowsPerMessage)) * rowsPerMessage;
    await().atMost(Duration.ofSeconds(10)).until(() -> service.pendingCount() >= 1_000);
    Thread.sleep(500); // the broker would have delivered everything by now
    assertThat(service.pendingCount()).isBetween(1_000, heldAtMost);
    assertThat(channel.queueDeclarePassive(Queues.Y_TRUE).getMessageCount())
        .isGreaterThanOrEqualTo(messages - heldAtMost / rowsPerMessage);

    for (int m = 0; m < messages; m++) {
      double[] predictions = new double[rowsPerMessage];
      channel.basicPublish(
          "",
          Queues.Y_PRED,
          Messages.PERSISTENT_JSON,
          codec.encode(
              new ValueRows(ids[m], predictions, "m:1", System.currentTimeMillis(), true)));
    }
    assertThat(awaitRows(messages * rowsPerMessage)).hasSize(messages * rowsPerMessage);
    awaitQueuesEmpty();
    assertThat(service.orphans()).isZero();
  }

  @Test
  void anOrphanRowOfABulkMessageIsDeadLetteredAloneAndTheRestPair() throws Exception {
    start(
        new MetricService.Config(
            logDir,
            new PairingBuffer.Config(1000, Duration.ofMillis(300)),
            MetricLogWriter.Config.DEFAULT,
            Duration.ZERO));
    MessageId[] ids = {MessageId.of("x"), MessageId.of("lonely"), MessageId.of("y")};
    channel.basicPublish(
        "",
        Queues.Y_TRUE,
        Messages.PERSISTENT_JSON,
        codec.encode(new ValueRows(ids, new double[] {1, 2, 3}, "", 5L, true)));
    send(Queues.Y_PRED, ids[0], 1);
    send(Queues.Y_PRED, ids[2], 3);

    GetResponse dead = take(Queues.deadLetterQueue(Queues.Y_TRUE));
    assertThat(reason(dead)).contains("orphan y_true message: no y_pred with this id arrived");
    ValueRows alone = codec.decodeValueRows(dead.getBody());
    assertThat(alone.bulk()).isFalse(); // the row alone, in the course's form
    assertThat(alone.ids()).containsExactly(MessageId.of("lonely"));
    assertThat(alone.values()).containsExactly(2);
    assertThat(awaitRows(2)).containsOnlyKeys("x", "y");
    awaitQueuesEmpty();
  }

  @Test
  void cborHalvesPairWithJsonOnesAndACborOrphanIsDeadLetteredAloneInCbor() throws Exception {
    start(
        new MetricService.Config(
            logDir,
            new PairingBuffer.Config(1000, Duration.ofMillis(300)),
            MetricLogWriter.Config.DEFAULT,
            Duration.ZERO));
    MessageCodec cbor = codec.in(WireFormat.CBOR);
    MessageId[] ids = {MessageId.of("x"), MessageId.of("lonely"), MessageId.random()};
    channel.basicPublish(
        "",
        Queues.Y_TRUE,
        Messages.PERSISTENT_CBOR,
        cbor.encode(new ValueRows(ids, new double[] {1, 2, 3}, "", 5L, true)));
    send(Queues.Y_PRED, ids[0], 1.5); // JSON, the course's form
    channel.basicPublish(
        "",
        Queues.Y_PRED,
        Messages.PERSISTENT_CBOR,
        cbor.encode(ValueRows.single(ids[2], Math.PI, "m:1", 0)));

    GetResponse dead = take(Queues.deadLetterQueue(Queues.Y_TRUE));
    assertThat(reason(dead)).contains("orphan y_true message: no y_pred with this id arrived");
    assertThat(dead.getProps().getContentType()).isEqualTo("application/cbor");
    ValueRows alone = cbor.decodeValueRows(dead.getBody());
    assertThat(alone.bulk()).isFalse();
    assertThat(alone.ids()).containsExactly(MessageId.of("lonely"));
    assertThat(alone.values()).containsExactly(2);
    Map<String, MetricLog.Row> rows = awaitRows(2);
    assertThat(rows.get("x")).isEqualTo(MetricLog.Row.of("x", 1, 1.5));
    assertThat(rows.get(ids[2].text())).isEqualTo(MetricLog.Row.of(ids[2].text(), 3, Math.PI));
    awaitQueuesEmpty();
  }

  @Test
  void aRedeliveredCopyOfARowAlreadyLoggedIsAckedWithoutASecondRow() throws Exception {
    start(MetricService.Config.of(logDir));
    send(Queues.Y_TRUE, MessageId.of("once"), 1);
    send(Queues.Y_PRED, MessageId.of("once"), 2);
    awaitRows(1);
    send(Queues.Y_PRED, MessageId.of("once"), 2); // a copy: features resent it, say
    awaitQueuesEmpty();
    assertThat(dataLines()).hasSize(1);
  }

  @Test
  void deadLettersAnOrphanWhosePartnerNeverCame() throws Exception {
    start(
        new MetricService.Config(
            logDir,
            new PairingBuffer.Config(1000, Duration.ofMillis(300)),
            MetricLogWriter.Config.DEFAULT,
            Duration.ZERO));
    send(Queues.Y_TRUE, MessageId.of("lonely"), 5);
    GetResponse dead = take(Queues.deadLetterQueue(Queues.Y_TRUE));
    assertThat(reason(dead)).contains("orphan y_true message: no y_pred with this id arrived");
    assertThat(codec.decodeValue(dead.getBody()).id()).isEqualTo(MessageId.of("lonely"));
    assertThat(service.orphans()).isEqualTo(1);
  }

  private void send(String queue, MessageId id, double value) throws IOException {
    channel.basicPublish(
        "", queue, Messages.PERSISTENT_JSON, codec.encode(ValueMessage.of(id, value)));
  }

  private Path logFile() {
    return logDir.resolve(MetricLog.FILE_NAME);
  }

  private Map<String, MetricLog.Row> awaitRows(int n) throws IOException {
    await().atMost(Duration.ofSeconds(10)).until(() -> dataLines().size() >= n);
    return dataLines().stream()
        .map(MetricLog::parse)
        .collect(Collectors.toMap(MetricLog.Row::id, Function.identity()));
  }

  private List<String> dataLines() throws IOException {
    if (!Files.exists(logFile())) {
      return List.of();
    }
    List<String> lines = Files.readAllLines(logFile());
    return lines.subList(Math.min(1, lines.size()), lines.size());
  }

  private void awaitQueuesEmpty() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                channel.queueDeclarePassive(Queues.Y_TRUE).getMessageCount() == 0
                    && channel.queueDeclarePassive(Queues.Y_PRED).getMessageCount() == 0
                    && service.pendingCount() == 0);
  }

  private GetResponse take(String queue) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.basicGet(queue, true), r -> r != null);
  }

  private static String reason(GetResponse r) {
    return r.getProps().getHeaders().get(DeadLetters.REASON).toString();
  }
}
