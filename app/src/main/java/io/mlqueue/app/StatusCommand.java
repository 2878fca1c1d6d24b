package io.mlqueue.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.amqp.DeadLetterQueues;
import io.mlqueue.amqp.Failures;
import io.mlqueue.contract.Queues;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlqueue status}: one screen on how a running system is doing: each queue of the contract
 * with its depth and consumers, the dead letters waiting with their reasons counted, and the
 * services' health endpoints. Over AMQP only: what AMQP cannot tell (rates, unacked messages, a
 * queue's durability without declaring it) is shown as unknown, never as zero.
 */
@Command(
    name = "status",
    description =
        "Show each queue of the contract (dead-letter queues too) with its depth and consumers,"
            + " the dead letters waiting by reason, and the services' health; changes nothing.")
final class StatusCommand implements Callable<Integer> {
  /** The services' health endpoints where the demo, the compose file and the README put them. */
  static final List<String> DEFAULT_HEALTH =
      List.of("gateway=http://127.0.0.1:8080/health", "plot=http://127.0.0.1:8081/health");

  @Mixin AmqpOptions amqp;

  @Option(names = "--json", description = "One JSON document, for scripts.")
  boolean json;

  @Option(
      names = "--health",
      paramLabel = "NAME=URL",
      split = ",",
      description =
          "Health endpoints to ask, e.g. model=http://127.0.0.1:9100/health (default: the"
              + " gateway's on 8080 and the dashboard's on 8081, as the demo and compose file"
              + " serve them).")
  List<String> health;

  @Option(
      names = "--watch",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Show it again every DURATION until stopped.")
  Duration watch;

  @Option(names = "--max-letters", defaultValue = "1000", description = "Dead letters read per queue to count reasons (default: ${DEFAULT-VALUE}).")
  int maxLetters;

  /** One queue as AMQP sees it; null fields are unknown. */
  record QueueState(String name, boolean exists, Long ready, Long consumers, String rates) {}

  /** The whole picture. */
  record Status(
      String broker,
      String via,
      List<QueueState> queues,
      Map<String, Map<String, Integer>> deadLetterReasons,
      Map<String, String> services) {}

  @Override
  public Integer call() throws Exception {
    AmqpSettings settings = amqp.settings().withConnectTimeout(
        amqp.connectTimeout.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : amqp.connectTimeout);
    try (Connection connection = BrokerConnector.connect(settings, "status")) {
      do {
        Status status = read(connection, settings);
        System.out.println(json ? toJson(status) : toText(status));
        if (watch != null) {
          Thread.sleep(watch.toMillis());
        }
      } while (watch != null);
    }
    return 0;
  }

  Status read(Connection connection, AmqpSettings settings) throws IOException {
    List<QueueState> queues = new ArrayList<>();
    Map<String, Map<String, Integer>> reasons = new LinkedHashMap<>();
    for (String queue : DeadLettersCommand.QUEUES) {
      queues.add(queue(connection, queue));
      String dlq = Queues.deadLetterQueue(queue);
      QueueState dead = queue(connection, dlq);
      queues.add(dead);
      if (dead.exists() && dead.ready() > 0) {
        Map<String, Integer> counted = new TreeMap<>();
        for (DeadLetterQueues.Letter l : DeadLetterQueues.peek(connection, dlq, maxLetters)) {
          counted.merge(l.reason(), 1, Integer::sum);
        }
        reasons.put(dlq, counted);
      }
    }
    Map<String, String> services = new LinkedHashMap<>();
    for (String entry : health == null ? DEFAULT_HEALTH : health) {
      int eq = entry.indexOf('=');
      String name = eq > 0 ? entry.substring(0, eq) : entry;
      services.put(name, health(eq > 0 ? entry.substring(eq + 1) : entry));
    }
    Object product = connection.getServerProperties().get("product");
    Object version = connection.getServerProperties().get("version");
    return new Status(settings.redactedUri() + " (" + product + " " + version + ")", "AMQP",
        queues, reasons, services);
  }

  /** Depth and consumers by a passive declare on a scratch channel (it closes the channel if absent). */
  private static QueueState queue(Connection connection, String name) throws IOException {
    Channel channel = connection.createChannel();
    try {
      AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(name);
      channel.close();
      return new QueueState(name, true, (long) ok.getMessageCount(), (long) ok.getConsumerCount(), null);
    } catch (IOException e) {
      return new QueueState(name, false, null, null, null);
    } catch (TimeoutException e) {
      throw new IOException("closing a channel timed out", e);
    }
  }

  private static String health(String url) {
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      HttpResponse<String> r = client.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      String body = r.body().strip().replaceAll("\\s+", " ");
      return (r.statusCode() == 200 ? "up" : "not ready (" + r.statusCode() + ")") + ": "
          + (body.length() > 160 ? body.substring(0, 160) + "…" : body);
    } catch (IOException e) {
      return "not answering at " + url + " (" + Failures.describe(e) + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "not asked (interrupted)";
    } catch (IllegalArgumentException e) {
      return "not a usable URL: " + url;
    }
  }

  static String toText(Status s) {
    StringBuilder out = new StringBuilder();
    out.append("broker: ").append(s.broker()).append(", read over ").append(s.via())
        .append(" (message rates and unacked counts need the management API: unknown)\n");
    out.append(String.format("%-14s %8s %10s%n", "queue", "ready", "consumers"));
    for (QueueState q : s.queues()) {
      out.append(q.exists()
          ? String.format("%-14s %8d %10d%n", q.name(), q.ready(), q.consumers())
          : String.format("%-14s %8s %10s%n", q.name(), "absent", "-"));
    }
    s.deadLetterReasons().forEach((dlq, reasons) -> {
      out.append("dead letters in ").append(dlq).append(" by reason:\n");
      reasons.forEach((reason, n) -> out.append(String.format("  %5d × %s%n", n, reason)));
    });
    s.services().forEach((name, state) -> out.append("service ").append(name).append(": ")
        .append(state).append('\n'));
    return out.toString().stripTrailing();
  }

  static String toJson(Status s) throws IOException {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s);
  }
}
