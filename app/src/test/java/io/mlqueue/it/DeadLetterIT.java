package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.amqp.DeadLetters;
import io.mlqueue.contract.Queues;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison messages: whatever arrives on {@code features}, {@code y_true} or {@code y_pred} that is
 * not a valid message of that queue is moved to the queue's {@code .dlq} with the reason in words,
 * while the good messages around it flow on and the services keep running. The course's services
 * crash on the first such message (and, with auto-ack, lose it).
 */
class DeadLetterIT {
  private static final Duration READY = Duration.ofSeconds(30);

  /** metric's --max-age: how long a half waits for its partner before it is an orphan. */
  private static final String MAX_AGE = "5s";

  // Ordered: processes are started after the vhost exists and killed before it is deleted.
  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  /**
   * A message that must be dead-lettered from {@code queue} with a reason containing {@code why}.
   */
  private record Poison(String queue, String body, String why) {}

  private static final String TEN = "0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1";

  private static final List<Poison> POISON =
      List.of(
          // features, handled by model
          new Poison(Queues.FEATURES, "this is not JSON", "not valid JSON"),
          new Poison(
              Queues.FEATURES, "{\"id\": \"f-truncated\", \"body\": [0.1, 0.2", "truncated JSON"),
          new Poison(Queues.FEATURES, "[1, 2, 3]", "expected a JSON object"),
          new Poison(
              Queues.FEATURES,
              "{\"id\": \"f-type\", \"body\": \"ten numbers\"}",
              "\"body\" must be a list of numbers, got a string"),
          new Poison(
              Queues.FEATURES,
              "{\"id\": \"f-element\", \"body\": [0.1, \"x\", 0.3]}",
              "body[1] must be a number, got a string"),
          new Poison(
              Queues.FEATURES,
              "{\"id\": \"f-short\", \"body\": [0.1, 0.2, 0.3]}",
              "expected 10 features"),
          new Poison(
              Queues.FEATURES, "{\"id\": \"f-long\", \"body\": [" + TEN + ", 0.11]}", "got 11"),
          new Poison(
              Queues.FEATURES,
              "{\"id\": \"f-nan\", \"body\": [NaN, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09,"
                  + " 0.1]}",
              "body[0] is not a finite number"),
          new Poison(
              Queues.FEATURES,
              "{\"id\": \"f-inf\", \"body\": [0.01, Infinity, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08,"
                  + " 0.09, 0.1]}",
              "body[1] is not a finite number"),
          new Poison(Queues.FEATURES, "{\"body\": [" + TEN + "]}", "missing field \"id\""),
          new Poison(Queues.FEATURES, "{\"id\": \"f-nobody\"}", "missing field \"body\""),
          new Poison(
              Queues.FEATURES,
              "{\"id\": true, \"body\": [" + TEN + "]}",
              "\"id\" must be a string or a number, got a boolean"),
          new Poison(Queues.FEATURES, "", "empty message body"),
          // y_true, handled by metric
          new Poison(Queues.Y_TRUE, "y_true but not JSON", "not valid JSON"),
          new Poison(
              Queues.Y_TRUE,
              "{\"id\": \"t-type\", \"body\": \"151\"}",
              "body must be a number, got a string"),
          new Poison(
              Queues.Y_TRUE,
              "{\"id\": \"t-list\", \"body\": [151.0]}",
              "body must be a number, got a list"),
          new Poison(
              Queues.Y_TRUE, "{\"id\": \"t-nan\", \"body\": NaN}", "body is not a finite number"),
          new Poison(Queues.Y_TRUE, "{\"body\": 151.0}", "missing field \"id\""),
          new Poison(
              Queues.Y_TRUE,
              "{\"id\": null, \"body\": 151.0}",
              "\"id\" must be a string or a number"),
          new Poison(Queues.Y_TRUE, "{\"id\": \"line\\nbreak\", \"body\": 151.0}", "line break"),
          new Poison(Queues.Y_TRUE, "", "empty message body"),
          // y_pred, handled by metric
          new Poison(Queues.Y_PRED, "<y_pred/>", "not valid JSON"),
          new Poison(
              Queues.Y_PRED,
              "{\"id\": \"p-bool\", \"body\": false}",
              "body must be a number, got a boolean"),
          new Poison(
              Queues.Y_PRED,
              "{\"id\": \"p-inf\", \"body\": -Infinity}",
              "body is not a finite number"),
          new Poison(Queues.Y_PRED, "{\"id\": \"p-nobody\"}", "missing field \"body\""),
          new Poison(Queues.Y_PRED, "{\"id\": \"\", \"body\": 1.5}", "\"id\" is an empty string"),
          new Poison(Queues.Y_PRED, "", "empty message body"));

  @Test
  void malformedMessagesOnEveryQueueAreDeadLetteredWithTheirReasonWhileGoodOnesFlowAndServicesLive()
      throws Exception {
    String uri = rabbit.uri();
    ServiceProcess model = services.mlqueue("model", uri, "model");
    ServiceProcess metric =
        services.mlqueue(
            "metric", uri, "metric", "--log-dir", logDir.toString(), "--max-age", MAX_AGE);
    model.awaitLog("model: consuming features", READY);
    metric.awaitLog("metric: consuming y_pred", READY);

    Channel channel = rabbit.connect().createChannel();
    channel.confirmSelect();
    AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    // A half whose partner never comes is no malformed message, but it must not wait for ever
    // either: after --max-age it goes to the dead-letter queue as an orphan.
    channel.basicPublish(
        "", Queues.Y_TRUE, persistent, utf8("{\"id\": \"lonely\", \"body\": 42.0}"));

    // Every poison message sits between good ones: a good message right before and right after it.
    // Even good messages are full feature vectors (through model), odd ones direct y_true/y_pred
    // pairs (metric only).
    Map<String, Double> expectedPredictions = new HashMap<>();
    int good = 0;
    for (int i = 0; i <= POISON.size(); i++) {
      String id = "good-" + i;
      if (i % 2 == 0) {
        int row = (i * 37) % 442;
        channel.basicPublish(
            "", Queues.Y_TRUE, persistent, utf8(valueJson(id, CsvCheck.target(row))));
        channel.basicPublish("", Queues.FEATURES, persistent, utf8(featuresJson(id, row)));
        expectedPredictions.put(id, CsvCheck.referencePrediction(row));
      } else {
        channel.basicPublish("", Queues.Y_PRED, persistent, utf8(valueJson(id, 100.0 + i)));
        channel.basicPublish("", Queues.Y_TRUE, persistent, utf8(valueJson(id, 90.0 + i)));
        expectedPredictions.put(id, 100.0 + i);
      }
      good++;
      if (i < POISON.size()) {
        Poison p = POISON.get(i);
        channel.basicPublish("", p.queue(), persistent, utf8(p.body()));
      }
    }
    channel.waitForConfirmsOrDie(10_000);

    // The good ones are logged, each with the right prediction.
    Path csv = logDir.resolve("metric_log.csv");
    CsvCheck.awaitExactRows(
        csv, good, Duration.ofSeconds(30), () -> model.tail(20) + "\n" + metric.tail(20));
    List<CsvCheck.Row> rows = CsvCheck.rows(csv);
    CsvCheck.assertDistinctIds(rows);
    CsvCheck.assertAbsoluteErrors(rows);
    assertThat(CsvCheck.ids(rows)).isEqualTo(expectedPredictions.keySet());
    for (CsvCheck.Row row : rows) {
      assertThat(row.yPred())
          .as(row.line())
          .isCloseTo(expectedPredictions.get(row.id()), within(CsvCheck.PREDICTION_TOLERANCE));
    }

    // Every poison message, and the orphan, is in its queue's .dlq with a reason that names the
    // problem; nothing else is.
    Map<String, Long> poisonPerQueue =
        POISON.stream().collect(Collectors.groupingBy(Poison::queue, Collectors.counting()));
    Map<String, Long> expectedDlq = new HashMap<>();
    for (String q : Queues.PIPELINE) {
      expectedDlq.put(
          Queues.deadLetterQueue(q),
          poisonPerQueue.getOrDefault(q, 0L) + (q.equals(Queues.Y_TRUE) ? 1 : 0));
    }
    RabbitMqVhost.awaitReadyCounts(channel, expectedDlq, Duration.ofSeconds(30), "dead letters");

    Map<String, Map<String, DeadLetter>> dead = new HashMap<>();
    for (String q : Queues.PIPELINE) {
      dead.put(q, drain(channel, Queues.deadLetterQueue(q)));
    }
    for (Poison p : POISON) {
      DeadLetter d = dead.get(p.queue()).get(p.body());
      assertThat(d).as("dead letter of %s on %s", quoted(p.body()), p.queue()).isNotNull();
      assertThat(d.reason())
          .as("reason for %s on %s", quoted(p.body()), p.queue())
          .contains(p.why());
      assertThat(d.sourceQueue()).isEqualTo(p.queue());
      assertThat(d.service()).isEqualTo(p.queue().equals(Queues.FEATURES) ? "model" : "metric");
    }
    DeadLetter orphan = dead.get(Queues.Y_TRUE).get("{\"id\": \"lonely\", \"body\": 42.0}");
    assertThat(orphan).as("the unpaired y_true, dead-lettered after " + MAX_AGE).isNotNull();
    assertThat(orphan.reason()).contains("orphan y_true message").contains("no y_pred");
    assertThat(dead.values().stream().mapToInt(Map::size).sum())
        .as("dead letters in all (poison + 1 orphan)")
        .isEqualTo(POISON.size() + 1);

    // Both services survived all of it, still serve, and nothing is stuck unacked.
    assertThat(model.isAlive()).as("model alive").isTrue();
    assertThat(metric.isAlive()).as("metric alive").isTrue();
    int row = 5;
    channel.basicPublish(
        "", Queues.Y_TRUE, persistent, utf8(valueJson("after", CsvCheck.target(row))));
    channel.basicPublish("", Queues.FEATURES, persistent, utf8(featuresJson("after", row)));
    channel.waitForConfirmsOrDie(10_000);
    CsvCheck.awaitExactRows(csv, good + 1, Duration.ofSeconds(20), () -> metric.tail(20));
    rabbit.awaitEmpty(Duration.ofSeconds(10), Queues.FEATURES, Queues.Y_TRUE, Queues.Y_PRED);
    model.stopCleanly();
    metric.stopCleanly();
  }

  @Test
  void aMessageOverTheClientsOldLimitIsDeadLetteredAndWhatFollowsItFlows() throws Exception {
    // 70 MiB: over the RabbitMQ client's default 64 MiB, under RabbitMQ's 128 MiB. A client at the
    // default closes its connection on such a delivery, gets it again on the next, and so on:
    // nothing behind it would ever pass.
    String uri = rabbit.uri();
    ServiceProcess model = services.mlqueue("model", uri, "model");
    ServiceProcess metric =
        services.mlqueue("metric", uri, "metric", "--log-dir", logDir.toString());
    model.awaitLog("model: consuming features", READY);
    metric.awaitLog("metric: consuming y_pred", READY);
    Channel channel = rabbit.connect().createChannel();
    channel.confirmSelect();
    AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    byte[] huge = new byte[70 << 20];
    java.util.Arrays.fill(huge, (byte) ' ');
    channel.basicPublish("", Queues.FEATURES, persistent, huge);
    for (int row = 0; row < 3; row++) {
      String id = "after-huge-" + row;
      channel.basicPublish(
          "", Queues.Y_TRUE, persistent, utf8(valueJson(id, CsvCheck.target(row))));
      channel.basicPublish("", Queues.FEATURES, persistent, utf8(featuresJson(id, row)));
    }
    channel.waitForConfirmsOrDie(30_000);

    Path csv = logDir.resolve("metric_log.csv");
    CsvCheck.awaitExactRows(csv, 3, Duration.ofSeconds(60), () -> model.tail(20));
    RabbitMqVhost.awaitReadyCounts(
        channel,
        Map.of(Queues.deadLetterQueue(Queues.FEATURES), 1L),
        Duration.ofSeconds(30),
        "dead letters");
    // Read it back through our own connector: a client at the default limit could not.
    Channel reader =
        BrokerConnector.connect(AmqpSettings.of(uri), "dead-letter-reader").createChannel();
    GetResponse dead = reader.basicGet(Queues.deadLetterQueue(Queues.FEATURES), true);
    reader.getConnection().close();
    assertThat(dead.getBody()).hasSize(huge.length);
    assertThat(String.valueOf(dead.getProps().getHeaders().get(DeadLetters.REASON)))
        .contains("over the limit");
    assertThat(java.nio.file.Files.readString(model.log()))
        .doesNotContain("lost the broker connection");
    model.stopCleanly();
    metric.stopCleanly();
  }

  /** What a dead letter carries besides its original body. */
  private record DeadLetter(String reason, String sourceQueue, String service) {}

  /** Takes every message off {@code dlq}: body text to its dead-letter headers. */
  private static Map<String, DeadLetter> drain(Channel channel, String dlq) throws Exception {
    Map<String, DeadLetter> byBody = new HashMap<>();
    GetResponse r;
    int bound = 1_000;
    while (bound-- > 0 && (r = channel.basicGet(dlq, true)) != null) {
      Map<String, Object> h = r.getProps().getHeaders();
      assertThat(h).as("headers of a dead letter in %s", dlq).isNotNull();
      String body = new String(r.getBody(), StandardCharsets.UTF_8);
      assertThat(byBody)
          .as("two dead letters in %s with body %s", dlq, quoted(body))
          .doesNotContainKey(body);
      byBody.put(
          body,
          new DeadLetter(
              String.valueOf(h.get("x-mlqueue-reason")),
              String.valueOf(h.get("x-mlqueue-source-queue")),
              String.valueOf(h.get("x-mlqueue-service"))));
    }
    return byBody;
  }

  private static String featuresJson(String id, int row) {
    double[] x = CsvCheck.features(row);
    return "{\"id\": \""
        + id
        + "\", \"body\": ["
        + IntStream.range(0, x.length)
            .mapToObj(i -> Double.toString(x[i]))
            .collect(Collectors.joining(", "))
        + "]}";
  }

  private static String valueJson(String id, double value) {
    return String.format(Locale.ROOT, "{\"id\": \"%s\", \"body\": %s}", id, Double.toString(value));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String quoted(String body) {
    return body.isEmpty() ? "<empty body>" : "'" + body + "'";
  }
}
