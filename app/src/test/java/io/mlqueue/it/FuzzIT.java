package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictCodec;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.contract.Queues;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input on every queue at once: a seeded fuzzer publishes over 10,000 malformed messages of
 * every {@link FuzzMessages.Kind} (broken JSON, wrong types and lengths, NaN, out-of-range numbers,
 * bad ids, 100,000-deep nesting, invalid UTF-8, bodies of megabytes) shuffled among good ones, to
 * model and metric running as separate processes in 128 MiB heaps. Every good pair must be logged
 * once with its prediction, every good call answered, every bad message dead-lettered to its
 * queue's {@code .dlq} with a reason that names its fault (or, for a bad call that has someone
 * waiting, answered with that reason), and both services must live through it.
 *
 * <p>{@code -Dmlqueue.fuzz.seed=N} replays another sequence; the seed is in every failure message.
 */
class FuzzIT {
  private static final long SEED = Long.getLong("mlqueue.fuzz.seed", 20261129L);

  private static final Map<String, Integer> BAD =
      Map.of(
          Queues.FEATURES,
          3_000,
          Queues.Y_TRUE,
          2_400,
          Queues.Y_PRED,
          2_400,
          Queues.PREDICT,
          2_400);

  /** Of each queue's bad messages, this many are 2–8 MiB bodies, spread over the run. */
  private static final int OVERSIZED_PER_QUEUE = 5;

  private static final int GOOD_THROUGH_MODEL = 1_500;
  private static final int GOOD_DIRECT = 1_500;
  private static final int GOOD_CALLS = 1_000;

  private static final String HEAP = "-Xmx128m";
  private static final long HEAP_BYTES = 128L << 20;
  private static final Duration READY = Duration.ofSeconds(30);
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final String REPLIES = "fuzz-replies";

  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  private final LinearModel model = BuiltInModel.get();
  private final PredictCodec predictCodec = new PredictCodec();

  /** A bad message as sent: where to, and its kind and expected reason. */
  private record Sent(String queue, FuzzMessages.Bad bad) {}

  private enum Step {
    BAD_FEATURES,
    BAD_Y_TRUE,
    BAD_Y_PRED,
    BAD_PREDICT,
    GOOD_THROUGH_MODEL,
    GOOD_DIRECT,
    GOOD_CALL
  }

  @Test
  void overTenThousandMalformedMessagesAreDeadLetteredWhileEveryGoodOneIsProcessed()
      throws Exception {
    String uri = rabbit.uri();
    int modelPort = HeapWatch.freePort();
    int metricPort = HeapWatch.freePort();
    List<String> jvm = List.of(HEAP, "-XX:+ExitOnOutOfMemoryError");
    ServiceProcess modelProcess =
        services.mlqueue(
            "model",
            uri,
            jvm,
            "model",
            "--metrics-host",
            "127.0.0.1",
            "--metrics-port",
            Integer.toString(modelPort));
    ServiceProcess metricProcess =
        services.mlqueue(
            "metric",
            uri,
            jvm,
            "metric",
            "--log-dir",
            logDir.toString(),
            "--max-age",
            "10m",
            "--metrics-host",
            "127.0.0.1",
            "--metrics-port",
            Integer.toString(metricPort));
    modelProcess.awaitLog("model: consuming predict", READY);
    modelProcess.awaitLog("model: consuming features", READY);
    metricProcess.awaitLog("metric: consuming y_pred", READY);
    HeapWatch heap = HeapWatch.start(Map.of("model", modelPort, "metric", metricPort));

    Connection connection = rabbit.connect();
    Map<String, byte[]> replies = new ConcurrentHashMap<>();
    Channel replyChannel = connection.createChannel();
    replyChannel.queueDeclare(REPLIES, false, true, false, null);
    replyChannel.basicConsume(
        REPLIES,
        true,
        (tag, d) -> replies.put(d.getProperties().getCorrelationId(), d.getBody()),
        tag -> {});

    // The plan: every step once, shuffled, so bad messages of all kinds sit among the good ones.
    Random random = new Random(SEED);
    List<Step> plan = new ArrayList<>();
    plan.addAll(Collections.nCopies(BAD.get(Queues.FEATURES), Step.BAD_FEATURES));
    plan.addAll(Collections.nCopies(BAD.get(Queues.Y_TRUE), Step.BAD_Y_TRUE));
    plan.addAll(Collections.nCopies(BAD.get(Queues.Y_PRED), Step.BAD_Y_PRED));
    plan.addAll(Collections.nCopies(BAD.get(Queues.PREDICT), Step.BAD_PREDICT));
    plan.addAll(Collections.nCopies(GOOD_THROUGH_MODEL, Step.GOOD_THROUGH_MODEL));
    plan.addAll(Collections.nCopies(GOOD_DIRECT, Step.GOOD_DIRECT));
    plan.addAll(Collections.nCopies(GOOD_CALLS, Step.GOOD_CALL));
    Collections.shuffle(plan, random);

    FuzzMessages fuzz = new FuzzMessages(SEED);
    Map<String, Sent> bad = new HashMap<>(); // by the message-id property, which dead letters keep
    Map<String, Integer> badPerQueue = new HashMap<>();
    Map<FuzzMessages.Kind, Map<String, Integer>> kinds = new EnumMap<>(FuzzMessages.Kind.class);
    Map<String, double[]> expectedRows = new HashMap<>(); // id → {y_true, y_pred}
    Map<String, double[]> expectedAnswers = new HashMap<>(); // correlation id → predictions
    Map<String, String> expectedRefusals = new HashMap<>(); // correlation id → words of the error

    Channel channel = connection.createChannel();
    channel.confirmSelect();
    AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    long start = System.nanoTime();
    int published = 0;
    int duplicates = 0;
    for (Step step : plan) {
      switch (step) {
        case BAD_FEATURES, BAD_Y_TRUE, BAD_Y_PRED, BAD_PREDICT -> {
          String queue =
              switch (step) {
                case BAD_FEATURES -> Queues.FEATURES;
                case BAD_Y_TRUE -> Queues.Y_TRUE;
                case BAD_Y_PRED -> Queues.Y_PRED;
                default -> Queues.PREDICT;
              };
          int n = badPerQueue.merge(queue, 1, Integer::sum);
          FuzzMessages.Bad b =
              n % (BAD.get(queue) / OVERSIZED_PER_QUEUE) == 7
                  ? fuzz.bad(queue, FuzzMessages.Kind.OVER_THE_SIZE_LIMIT)
                  : fuzz.bad(queue);
          String tag = "bad-" + bad.size();
          Sent sent = new Sent(queue, b);
          bad.put(tag, sent);
          kinds.computeIfAbsent(b.kind(), k -> new TreeMap<>()).merge(queue, 1, Integer::sum);
          AMQP.BasicProperties.Builder props = persistent.builder().messageId(tag);
          if (queue.equals(Queues.PREDICT)) {
            props.deliveryMode(1);
            if (b.kind() != FuzzMessages.Kind.NO_REPLY_TO) {
              props.replyTo(REPLIES);
            }
            if (b.kind() != FuzzMessages.Kind.NO_CORRELATION_ID) {
              props.correlationId(tag);
            }
            if (answered(sent)) {
              expectedRefusals.put(tag, b.why());
            }
          }
          channel.basicPublish("", queue, props.build(), b.body());
        }
        case GOOD_THROUGH_MODEL -> {
          int row = random.nextInt(442);
          String id = "m-" + expectedRows.size();
          double yTrue = CsvCheck.target(row);
          expectedRows.put(id, new double[] {yTrue, CsvCheck.referencePrediction(row)});
          String features =
              "{\"id\": \"" + id + "\", \"body\": " + list(CsvCheck.features(row)) + "}";
          channel.basicPublish("", Queues.Y_TRUE, persistent, valueJson("\"" + id + "\"", yTrue));
          channel.basicPublish("", Queues.FEATURES, persistent, utf8(features));
        }
        case GOOD_DIRECT -> {
          // Numeric ids as the course sends them, either half first.
          String id = "17000" + expectedRows.size() + ".5";
          double yTrue = 25 + random.nextInt(320);
          double yPred = 25 + random.nextDouble() * 320;
          expectedRows.put(id, new double[] {yTrue, yPred});
          boolean predFirst = random.nextBoolean();
          channel.basicPublish(
              "",
              predFirst ? Queues.Y_PRED : Queues.Y_TRUE,
              persistent,
              valueJson(id, predFirst ? yPred : yTrue));
          channel.basicPublish(
              "",
              predFirst ? Queues.Y_TRUE : Queues.Y_PRED,
              persistent,
              valueJson(id, predFirst ? yTrue : yPred));
          if (random.nextInt(20) == 0) {
            // The same id again, as a publisher that resends does: still one row.
            channel.basicPublish("", Queues.Y_PRED, persistent, valueJson(id, yPred));
            duplicates++;
          }
        }
        case GOOD_CALL -> {
          String tag = "call-" + expectedAnswers.size();
          double[][] rows = new double[1 + random.nextInt(4)][];
          double[] predictions = new double[rows.length];
          for (int i = 0; i < rows.length; i++) {
            int row = random.nextInt(442);
            rows[i] = CsvCheck.features(row);
            predictions[i] = CsvCheck.referencePrediction(row);
          }
          expectedAnswers.put(tag, predictions);
          PredictRequest request =
              random.nextBoolean()
                  ? PredictRequest.positional(MessageId.of(tag), rows)
                  : new PredictRequest(MessageId.of(tag), rows, model.featureNames());
          channel.basicPublish(
              "",
              Queues.PREDICT,
              new AMQP.BasicProperties.Builder().replyTo(REPLIES).correlationId(tag).build(),
              predictCodec.encode(request));
        }
      }
      if (++published % 1_000 == 0) {
        channel.waitForConfirmsOrDie(30_000); // a bounded window, as any producer keeps
      }
    }
    channel.waitForConfirmsOrDie(30_000);
    Duration publishing = Duration.ofNanos(System.nanoTime() - start);
    String context = "seed " + SEED;

    // Every good pair logged once, with its values.
    Path csv = logDir.resolve("metric_log.csv");
    CsvCheck.awaitExactRows(
        csv,
        expectedRows.size(),
        SETTLE,
        () -> context + "\n" + modelProcess.tail(20) + "\n" + metricProcess.tail(20));
    List<CsvCheck.Row> rows = CsvCheck.rows(csv);
    CsvCheck.assertDistinctIds(rows);
    CsvCheck.assertAbsoluteErrors(rows);
    assertThat(CsvCheck.ids(rows)).as(context).isEqualTo(expectedRows.keySet());
    for (CsvCheck.Row row : rows) {
      double[] expected = expectedRows.get(row.id());
      assertThat(row.yTrue()).as(row.line()).isEqualTo(expected[0]);
      assertThat(row.yPred())
          .as(row.line())
          .isCloseTo(expected[1], within(CsvCheck.PREDICTION_TOLERANCE));
    }

    // Every call answered: the good with their predictions, the bad with what is wrong.
    awaitSize(replies, expectedAnswers.size() + expectedRefusals.size(), context);
    for (Map.Entry<String, double[]> e : expectedAnswers.entrySet()) {
      PredictReply reply = predictCodec.decodeReply(replies.get(e.getKey()));
      assertThat(reply).as(e.getKey()).isInstanceOf(PredictReply.Predictions.class);
      assertThat(((PredictReply.Predictions) reply).predictions())
          .as(e.getKey())
          .containsExactly(e.getValue(), within(CsvCheck.PREDICTION_TOLERANCE));
    }
    for (Map.Entry<String, String> e : expectedRefusals.entrySet()) {
      PredictReply reply = predictCodec.decodeReply(replies.get(e.getKey()));
      Sent sent = bad.get(e.getKey());
      assertThat(reply)
          .as("reply to %s (%s)", e.getKey(), sent.bad().kind())
          .isInstanceOf(PredictReply.Failure.class);
      PredictReply.Failure failure = (PredictReply.Failure) reply;
      assertThat(failure.kind()).isEqualTo(PredictReply.Kind.INVALID_INPUT);
      assertThat(failure.message()).as("%s, %s", sent.bad().kind(), context).contains(e.getValue());
    }
    Duration processing = Duration.ofNanos(System.nanoTime() - start);

    // Every other bad message in its queue's .dlq, with a reason that names its fault.
    Map<String, Long> expectedDlq = new TreeMap<>();
    for (String q : BAD.keySet()) {
      expectedDlq.put(
          Queues.deadLetterQueue(q),
          bad.values().stream().filter(s -> s.queue().equals(q) && !answered(s)).count());
    }
    RabbitMqVhost.awaitReadyCounts(channel, expectedDlq, SETTLE, "dead letters, " + context);
    for (String q : BAD.keySet()) {
      String dlq = Queues.deadLetterQueue(q);
      for (long i = expectedDlq.get(dlq); i > 0; i--) {
        GetResponse r = channel.basicGet(dlq, true);
        assertThat(r).as("dead letter %d of %s", i, dlq).isNotNull();
        Sent sent = bad.remove(r.getProps().getMessageId());
        assertThat(sent).as("a dead letter in %s that was sent bad, once", dlq).isNotNull();
        assertThat(sent.queue()).isEqualTo(q);
        assertThat(r.getBody()).isEqualTo(sent.bad().body());
        Map<String, Object> headers = r.getProps().getHeaders();
        assertThat(String.valueOf(headers.get("x-mlqueue-reason")))
            .as("reason for %s on %s, %s", sent.bad().kind(), q, context)
            .isNotBlank()
            .contains(sent.bad().why());
        assertThat(String.valueOf(headers.get("x-mlqueue-source-queue"))).isEqualTo(q);
      }
    }
    assertThat(bad.values().stream().filter(s -> !answered(s)))
        .as("bad messages neither dead-lettered nor answered")
        .isEmpty();

    // The services lived through it in their small heaps, and hold nothing back.
    assertThat(modelProcess.isAlive()).as("model alive").isTrue();
    assertThat(metricProcess.isAlive()).as("metric alive").isTrue();
    rabbit.awaitEmpty(
        Duration.ofSeconds(20), Queues.FEATURES, Queues.Y_TRUE, Queues.Y_PRED, Queues.PREDICT);
    Map<String, HeapWatch.Figures> memory = heap.stop();
    for (ServiceProcess p : List.of(modelProcess, metricProcess)) {
      HeapWatch.Figures f = memory.get(p.name());
      assertThat(f.samples()).as("heap samples of %s", p.name()).isPositive();
      assertThat(f.peakHeapUsed()).as("peak heap of %s", p.name()).isLessThanOrEqualTo(HEAP_BYTES);
      assertThat(p.output()).doesNotContain("OutOfMemoryError");
    }

    System.out.printf(
        Locale.ROOT,
        "FuzzIT seed %d: %,d bad (%s) and %,d good pairs (%,d y_pred sent twice) + %,d good calls;"
            + " published in %.1f s,"
            + " all settled in %.1f s%n  dead letters %s, bad calls answered %,d%n"
            + "  sent by kind:%s%n"
            + "  memory (-Xmx128m) %s%n",
        SEED,
        BAD.values().stream().mapToInt(Integer::intValue).sum(),
        BAD.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", ")),
        expectedRows.size(),
        duplicates,
        expectedAnswers.size(),
        publishing.toMillis() / 1e3,
        processing.toMillis() / 1e3,
        expectedDlq,
        expectedRefusals.size(),
        kinds.entrySet().stream()
            .map(e -> "\n    " + e.getKey() + " " + e.getValue())
            .collect(Collectors.joining()),
        memory.entrySet().stream()
            .map(
                e ->
                    e.getKey()
                        + ": "
                        + e.getValue()
                        + ", peak RSS "
                        + HeapWatch.mib(
                            HeapWatch.peakRss(
                                (e.getKey().equals("model") ? modelProcess : metricProcess).pid())))
            .collect(Collectors.joining("; ")));
    modelProcess.stopCleanly();
    metricProcess.stopCleanly();
  }

  /**
   * What a service holds is its prefetch times the size of the messages, whatever
   * --max-message-bytes says: the client reads each delivery whole before a handler can refuse it.
   * This burst of 40 bodies of 8 MiB kills a 128 MiB model at the default prefetch of 250
   * (OutOfMemoryError); it passes through when the prefetch keeps that product inside the heap, and
   * the good message behind it is predicted.
   */
  @Test
  void aBurstOfOversizedMessagesPassesThroughWhenPrefetchTimesSizeFitsTheHeap() throws Exception {
    ServiceProcess modelProcess =
        services.mlqueue(
            "model",
            rabbit.uri(),
            List.of(HEAP, "-XX:+ExitOnOutOfMemoryError"),
            "model",
            "--prefetch",
            "4");
    modelProcess.awaitLog("model: consuming features", READY);
    Channel channel = rabbit.connect().createChannel();
    channel.confirmSelect();
    int burst = 40;
    byte[] oversized =
        utf8(
            "{\"id\": \"big\", \"body\": [0,0,0,0,0,0,0,0,0,0], \"pad\": \""
                + "x".repeat(8 << 20)
                + "\"}");
    for (int i = 0; i < burst; i++) {
      channel.basicPublish("", Queues.FEATURES, null, oversized);
    }
    channel.basicPublish(
        "",
        Queues.FEATURES,
        null,
        utf8("{\"id\": \"after\", \"body\": " + list(CsvCheck.features(0)) + "}"));
    channel.waitForConfirmsOrDie(60_000);

    RabbitMqVhost.awaitReadyCounts(
        channel,
        Map.of(Queues.deadLetterQueue(Queues.FEATURES), (long) burst),
        SETTLE,
        "dead letters, a burst of " + burst + " x 8 MiB");
    GetResponse prediction = null;
    for (long deadline = System.nanoTime() + SETTLE.toNanos();
        prediction == null && System.nanoTime() < deadline; ) {
      prediction = channel.basicGet(Queues.Y_PRED, true);
      Thread.sleep(prediction == null ? 100 : 0);
    }
    assertThat(prediction).as("the good message behind the burst").isNotNull();
    assertThat(new String(prediction.getBody(), StandardCharsets.UTF_8)).contains("\"after\"");
    assertThat(modelProcess.isAlive()).as("model alive after the burst").isTrue();
    System.out.printf(
        Locale.ROOT,
        "FuzzIT burst: %d x 8 MiB through a -Xmx128m model at prefetch 4, peak RSS %s%n",
        burst,
        HeapWatch.mib(HeapWatch.peakRss(modelProcess.pid())));
    modelProcess.stopCleanly();
  }

  /** Whether a bad message is answered with an error, not dead-lettered: a call with a caller. */
  private static boolean answered(Sent s) {
    return s.queue().equals(Queues.PREDICT)
        && s.bad().kind() != FuzzMessages.Kind.NO_REPLY_TO
        && s.bad().kind() != FuzzMessages.Kind.NO_CORRELATION_ID;
  }

  private static void awaitSize(Map<String, byte[]> replies, int expected, String context)
      throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (replies.size() < expected && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(replies).as("replies, %s", context).hasSize(expected);
  }

  private static String list(double[] values) {
    return IntStream.range(0, values.length)
        .mapToObj(i -> Double.toString(values[i]))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static byte[] valueJson(String idLiteral, double value) {
    return utf8("{\"id\": " + idLiteral + ", \"body\": " + value + "}");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
