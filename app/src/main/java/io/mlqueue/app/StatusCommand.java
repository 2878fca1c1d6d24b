package io.mlqueue.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.amqp.DeadLetterQueues;
import io.mlqueue.app.status.ManagementApi;
import io.mlqueue.app.status.ModelsServed;
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
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlqueue status}: one screen on how a running system is doing: each queue of the contract
 * with its mode, depth, consumers and rates, the dead letters waiting with their reasons counted,
 * the models the workers serve and the services' health endpoints. Queues are read through
 * RabbitMQ's management HTTP API when it answers, else over AMQP, and the screen says which: what
 * the path taken cannot tell (over AMQP: mode, unacked messages, rates) is shown as unknown, never
 * as zero.
 */
@Command(
    name = "status",
    description =
        "Show each queue of the contract (dead-letter queues too) with its mode, depth, consumers"
            + " and rates, the dead letters waiting by reason, the models served and the services'"
            + " health; changes nothing.")
final class StatusCommand implements Callable<Integer> {
  /** The services' health endpoints where the demo, the compose file and the README put them. */
  static final List<String> DEFAULT_HEALTH =
      List.of("gateway=http://127.0.0.1:8080/health", "plot=http://127.0.0.1:8081/health");

  static final String NO_MANAGEMENT = "none";

  private static final String CLEAR_SCREEN = "\033[H\033[2J";

  /** How an unknown value shows on the screen. */
  static final String UNKNOWN = "?";

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
              + " serve them). The /metrics beside each /health is read for the models served.")
  List<String> health;

  @Option(
      names = "--management-url",
      paramLabel = "URL",
      description =
          "RabbitMQ's management HTTP API, read for each queue's mode, unacked messages and rates"
              + " (default: http://AMQP-HOST:15672, https://AMQP-HOST:15671 for amqps://, with the"
              + " AMQP URI's user and password); 'none' reads over AMQP only. When the API does"
              + " not answer or refuses, status reads over AMQP and says why.")
  String managementUrl;

  @Option(
      names = "--watch",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Show it again every DURATION until stopped.")
  Duration watch;

  @Option(
      names = "--max-letters",
      defaultValue = "1000",
      description = "Dead letters read per queue to count reasons (default: ${DEFAULT-VALUE}).")
  int maxLetters;

  /**
   * One queue; null fields are unknown.
   *
   * @param mode how it is declared, in words: {@code durable} (the default mode), {@code durable
   *     quorum}, {@code transient (course)} (as {@code --compat course} and the course's services
   *     declare it), or its flags and arguments when it is neither
   */
  record QueueState(
      String name,
      boolean exists,
      String mode,
      Boolean durable,
      String type,
      Map<String, Object> arguments,
      Long ready,
      Long unacked,
      Long consumers,
      ManagementApi.Rates rates) {
    /** A queue that a passive declare found (with its ready messages and consumers), or not. */
    static QueueState amqp(String name, boolean exists, Long ready, Long consumers) {
      return new QueueState(name, exists, null, null, null, null, ready, null, consumers, null);
    }

    static QueueState api(ManagementApi.QueueInfo q) {
      return new QueueState(
          q.name(),
          true,
          StatusCommand.mode(q),
          q.durable(),
          q.type(),
          q.arguments(),
          q.ready(),
          q.unacked(),
          q.consumers(),
          q.rates());
    }

    static QueueState absent(String name) {
      return amqp(name, false, null, null);
    }
  }

  /**
   * The whole picture.
   *
   * @param via {@code management API} or {@code AMQP}
   * @param viaDetail the API's URL, or why AMQP was used instead
   * @param models per service asked, the models its /metrics names
   */
  record Status(
      String broker,
      String via,
      String viaDetail,
      List<QueueState> queues,
      Map<String, Map<String, Integer>> deadLetterReasons,
      Map<String, List<ModelsServed.Served>> models,
      Map<String, String> services) {}

  @Override
  public Integer call() throws Exception {
    AmqpSettings settings =
        amqp.settings()
            .withConnectTimeout(
                amqp.connectTimeout.compareTo(Duration.ofSeconds(10)) > 0
                    ? Duration.ofSeconds(10)
                    : amqp.connectTimeout);
    ManagementApi api =
        NO_MANAGEMENT.equalsIgnoreCase(managementUrl == null ? "" : managementUrl.strip())
            ? null
            : ManagementApi.of(settings, managementUrl == null ? null : managementUrl.strip());
    try (Connection connection = BrokerConnector.connect(settings, "status")) {
      // On a terminal, each refresh of the text replaces the last: one screen, not a scroll.
      boolean redraw = watch != null && !json && System.console() != null;
      do {
        Status status = read(connection, settings, api);
        System.out.println((redraw ? CLEAR_SCREEN : "") + (json ? toJson(status) : toText(status)));
        if (watch != null) {
          Thread.sleep(watch.toMillis());
        }
      } while (watch != null);
    }
    return 0;
  }

  /** The contract's queues with their dead-letter queues, in the order shown. */
  static List<String> contractQueues() {
    List<String> all = new ArrayList<>();
    for (String queue : DeadLettersCommand.QUEUES) {
      all.add(queue);
      all.add(Queues.deadLetterQueue(queue));
    }
    return all;
  }

  /** Through {@code api} when it is given and answers, else over AMQP. */
  Status read(Connection connection, AmqpSettings settings, ManagementApi api)
      throws IOException, InterruptedException {
    List<QueueState> queues = null;
    String via = "AMQP";
    String viaDetail = "--management-url " + NO_MANAGEMENT;
    if (api != null) {
      try {
        queues = fromApi(api.queues(settings.vhost()));
        via = "management API";
        viaDetail = api.base().toString();
      } catch (ManagementApi.Unavailable e) {
        viaDetail = "the management API " + e.getMessage();
      }
    }
    if (queues == null) {
      queues = new ArrayList<>();
      for (String queue : contractQueues()) {
        queues.add(queue(connection, queue));
      }
    }
    Map<String, Map<String, Integer>> reasons = new LinkedHashMap<>();
    for (QueueState q : queues) {
      boolean mayHoldLetters = q.ready() == null || q.ready() > 0;
      if (q.name().endsWith(Queues.DEAD_LETTER_SUFFIX) && q.exists() && mayHoldLetters) {
        Map<String, Integer> counted = new TreeMap<>();
        for (DeadLetterQueues.Letter l : DeadLetterQueues.peek(connection, q.name(), maxLetters)) {
          counted.merge(l.reason(), 1, Integer::sum);
        }
        if (!counted.isEmpty()) {
          reasons.put(q.name(), counted);
        }
      }
    }
    Map<String, String> services = new LinkedHashMap<>();
    Map<String, List<ModelsServed.Served>> models = new LinkedHashMap<>();
    for (String entry : health == null ? DEFAULT_HEALTH : health) {
      int eq = entry.indexOf('=');
      String name = eq > 0 ? entry.substring(0, eq) : entry;
      String url = eq > 0 ? entry.substring(eq + 1) : entry;
      String state = health(url);
      services.put(name, state);
      String metrics = ModelsServed.metricsUrl(url);
      if (metrics != null
          && !state.startsWith("not answering")
          && !state.startsWith("not a usable")) {
        List<ModelsServed.Served> served = models(metrics);
        if (!served.isEmpty()) {
          models.put(name, served);
        }
      }
    }
    Object product = connection.getServerProperties().get("product");
    Object version = connection.getServerProperties().get("version");
    return new Status(
        settings.redactedUri() + " (" + product + " " + version + ")",
        via,
        viaDetail,
        queues,
        reasons,
        models,
        services);
  }

  /** The contract's queues among the API's, in the order shown; one the API lacks is absent. */
  static List<QueueState> fromApi(List<ManagementApi.QueueInfo> all) {
    Map<String, ManagementApi.QueueInfo> byName = new LinkedHashMap<>();
    all.forEach(q -> byName.put(q.name(), q));
    List<QueueState> queues = new ArrayList<>();
    for (String name : contractQueues()) {
      ManagementApi.QueueInfo q = byName.get(name);
      queues.add(q == null ? QueueState.absent(name) : QueueState.api(q));
    }
    return queues;
  }

  /**
   * A queue's declared shape in words: {@code durable} (the default mode; every dead-letter queue),
   * {@code durable quorum} ({@code --queue-type quorum}), {@code transient (course)} (non-durable
   * without arguments, as {@code --compat course} and the course's services declare it); anything
   * else by its flags and arguments, e.g. {@code durable x-message-ttl=60000}.
   */
  static String mode(ManagementApi.QueueInfo q) {
    Map<String, Object> extra = new TreeMap<>(q.arguments());
    extra.remove("x-queue-type");
    String type = q.type() == null ? "classic" : q.type();
    boolean plain = extra.isEmpty() && !q.autoDelete() && !q.exclusive();
    if (plain && !q.durable() && type.equals("classic")) {
      return "transient (course)";
    }
    StringBuilder mode = new StringBuilder(q.durable() ? "durable" : "transient");
    if (!type.equals("classic")) {
      mode.append(' ').append(type);
    }
    if (q.autoDelete()) {
      mode.append(" auto-delete");
    }
    if (q.exclusive()) {
      mode.append(" exclusive");
    }
    extra.forEach((k, v) -> mode.append(' ').append(k).append('=').append(v));
    return mode.toString();
  }

  /**
   * Depth and consumers by a passive declare on a scratch channel (it closes the channel if
   * absent).
   */
  private static QueueState queue(Connection connection, String name) throws IOException {
    Channel channel = connection.createChannel();
    try {
      AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(name);
      channel.close();
      return QueueState.amqp(name, true, (long) ok.getMessageCount(), (long) ok.getConsumerCount());
    } catch (IOException e) {
      return QueueState.absent(name);
    } catch (TimeoutException e) {
      throw new IOException("closing a channel timed out", e);
    }
  }

  private static String health(String url) {
    try {
      HttpResponse<String> r = get(url);
      String body = r.body().strip().replaceAll("\\s+", " ");
      return (r.statusCode() == 200 ? "up" : "not ready (" + r.statusCode() + ")")
          + ": "
          + (body.length() > 160 ? body.substring(0, 160) + "…" : body);
    } catch (IOException e) {
      return "not answering at " + url + " (" + ManagementApi.describe(e) + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "not asked (interrupted)";
    } catch (IllegalArgumentException e) {
      return "not a usable URL: " + url;
    }
  }

  /** The models a service's /metrics names; none when it does not answer or names none. */
  private static List<ModelsServed.Served> models(String metricsUrl) {
    try {
      HttpResponse<String> r = get(metricsUrl);
      return r.statusCode() == 200 ? ModelsServed.parse(r.body()) : List.of();
    } catch (IOException | IllegalArgumentException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String toText(Status s) {
    StringBuilder out = new StringBuilder();
    out.append("broker: ").append(s.broker()).append('\n');
    if (s.via().equals("AMQP")) {
      out.append("read over AMQP (")
          .append(s.viaDetail())
          .append("): mode, unacked messages and rates unknown (")
          .append(UNKNOWN)
          .append(")\n");
    } else {
      out.append("read through the management API at ")
          .append(s.viaDetail())
          .append(" (")
          .append(UNKNOWN)
          .append(" = not reported by it)\n");
    }
    String row = "%-22s %-18s %7s %7s %9s %9s %9s %7s%n";
    out.append(
        String.format(
            row,
            "queue",
            "mode",
            "ready",
            "unacked",
            "consumers",
            "publish/s",
            "deliver/s",
            "ack/s"));
    for (QueueState q : s.queues()) {
      if (!q.exists()) {
        out.append(String.format(row, q.name(), "absent", "-", "-", "-", "-", "-", "-"));
        continue;
      }
      ManagementApi.Rates r = q.rates();
      out.append(
          String.format(
              row,
              q.name(),
              q.mode() == null ? UNKNOWN : q.mode(),
              shown(q.ready()),
              shown(q.unacked()),
              shown(q.consumers()),
              rate(r == null ? null : r.publish()),
              rate(r == null ? null : r.deliver()),
              rate(r == null ? null : r.ack())));
    }
    s.deadLetterReasons()
        .forEach(
            (dlq, reasons) -> {
              out.append("dead letters in ").append(dlq).append(" by reason:\n");
              reasons.forEach((reason, n) -> out.append(String.format("  %5d × %s%n", n, reason)));
            });
    if (s.models().isEmpty()) {
      out.append("models served: ")
          .append(UNKNOWN)
          .append(
              " (no --health endpoint named one; give a worker's, e.g. --health model=http://HOST:9100/health)\n");
    } else {
      s.models()
          .forEach(
              (service, served) ->
                  out.append("models served by ")
                      .append(service)
                      .append(": ")
                      .append(
                          String.join(
                              ", ",
                              served.stream().map(m -> m.model() + " (" + m.role() + ")").toList()))
                      .append('\n'));
    }
    s.services()
        .forEach(
            (name, state) ->
                out.append("service ").append(name).append(": ").append(state).append('\n'));
    return out.toString().stripTrailing();
  }

  /** A count, or {@value #UNKNOWN} when it is unknown: never 0 for "not known". */
  static String shown(Long n) {
    return n == null ? UNKNOWN : n.toString();
  }

  /** A rate per second to one decimal, or {@value #UNKNOWN}. */
  static String rate(Double perSecond) {
    return perSecond == null ? UNKNOWN : String.format(Locale.ROOT, "%.1f", perSecond);
  }

  static String toJson(Status s) throws IOException {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s);
  }
}
