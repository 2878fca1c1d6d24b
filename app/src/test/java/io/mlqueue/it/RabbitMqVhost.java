package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh RabbitMQ virtual host per test, on the real broker at 127.0.0.1:5672.
 *
 * <p>Register it with {@code @RegisterExtension final RabbitMqVhost rabbit = new RabbitMqVhost();}.
 * Before each test it creates {@code mlqueue-it-<random>} with {@code rabbitmqctl} and grants
 * {@code guest} full rights on it; after the test it deletes the vhost again, queues and all. A
 * vhost is a complete namespace of queues, so tests never see each other's messages, and a test
 * that dies half-way leaves nothing behind for the next one.
 *
 * <p>When nothing listens on 127.0.0.1:5672, or {@code rabbitmqctl} is not installed, the test is
 * skipped (a JUnit assumption) and a line saying so goes to standard error, so a build without a
 * broker stays green but nobody mistakes "skipped" for "passed".
 */
public final class RabbitMqVhost implements BeforeEachCallback, AfterEachCallback {
  /** Only ever the local broker: these tests create and delete vhosts. */
  static final String HOST = "127.0.0.1";

  static final int PORT = 5672;

  private static final Duration CTL_TIMEOUT = Duration.ofSeconds(60);
  private static final List<String> CTL_CANDIDATES =
      List.of(
          "/usr/sbin/rabbitmqctl",
          "/usr/local/sbin/rabbitmqctl",
          "/usr/lib/rabbitmq/bin/rabbitmqctl");

  private static final AtomicBoolean REPORTED_SKIP = new AtomicBoolean();

  private String vhost;
  private final List<Connection> connections = new ArrayList<>();

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    Optional<String> unavailable = whyUnavailable();
    if (unavailable.isPresent()) {
      // Once per test JVM on standard error, where a build log shows it; the per-test skip reason
      // goes to the test report.
      if (REPORTED_SKIP.compareAndSet(false, true)) {
        System.err.println(
            "integration tests skipped: no RabbitMQ at "
                + HOST
                + ":"
                + PORT
                + " ("
                + unavailable.get()
                + ")");
      }
      Assumptions.assumeTrue(
          false, "no RabbitMQ at " + HOST + ":" + PORT + ": " + unavailable.get());
    }
    vhost = "mlqueue-it-" + UUID.randomUUID().toString().substring(0, 8);
    ctl("add_vhost", vhost);
    ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (Connection c : connections) {
      try {
        c.close(2_000);
      } catch (Exception e) {
        // closing a test connection is best effort; the vhost goes anyway
      }
    }
    connections.clear();
    if (vhost != null) {
      try {
        ctl("delete_vhost", vhost);
      } finally {
        vhost = null;
      }
    }
  }

  /** The vhost's name, e.g. {@code mlqueue-it-3f2a9c1d}. */
  public String name() {
    return requireVhost();
  }

  /** {@code amqp://guest:guest@127.0.0.1:5672/<vhost>}; the name needs no percent-encoding. */
  public String uri() {
    return "amqp://guest:guest@" + HOST + ":" + PORT + "/" + requireVhost();
  }

  /** A RabbitMQ client connection to the vhost, closed after the test. */
  public Connection connect() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri());
    factory.setAutomaticRecoveryEnabled(false);
    Connection connection = factory.newConnection("mlqueue-it");
    connections.add(connection);
    return connection;
  }

  /** Ready and unacknowledged messages of one queue. */
  public record QueueDepth(long ready, long unacked) {
    public boolean isEmpty() {
      return ready == 0 && unacked == 0;
    }
  }

  /**
   * Stops the broker application ({@code rabbitmqctl stop_app}: every connection drops, the node
   * stays up), waits {@code down}, and starts it again ({@code start_app}) — a broker restart as
   * the clients see it. Durable queues and persistent messages survive it.
   */
  public void restartBroker(Duration down) throws IOException, InterruptedException {
    try {
      stopBroker();
      Thread.sleep(down.toMillis());
    } finally {
      startBroker(); // whatever happens, leave the machine's broker running
    }
  }

  /**
   * Stops the machine's RabbitMQ application (the node stays up); pair with {@link #startBroker}.
   */
  public void stopBroker() throws IOException, InterruptedException {
    ctl("stop_app");
  }

  /** Starts the RabbitMQ application again and waits until it serves. */
  public void startBroker() throws IOException, InterruptedException {
    ctl("start_app");
    ctl("await_startup");
  }

  /** Every queue of the vhost with its type ({@code classic}, {@code quorum}, …). */
  public Map<String, String> queueTypes() throws IOException, InterruptedException {
    String out =
        ctl("list_queues", "-q", "--no-table-headers", "-p", requireVhost(), "name", "type");
    Map<String, String> types = new HashMap<>();
    for (String line : out.split("\n")) {
      String[] cells = line.strip().split("\\s+");
      if (cells.length == 2) {
        types.put(cells[0], cells[1]);
      }
    }
    return types;
  }

  /**
   * Every queue of the vhost with its ready and unacknowledged message counts, as the broker
   * reports them ({@code rabbitmqctl list_queues}). Unlike a passive declare, this also sees
   * messages a live consumer holds without having acked them.
   */
  public Map<String, QueueDepth> queueDepths() throws IOException, InterruptedException {
    String out =
        ctl(
            "list_queues",
            "-q",
            "--no-table-headers",
            "-p",
            requireVhost(),
            "name",
            "messages_ready",
            "messages_unacknowledged");
    Map<String, QueueDepth> depths = new HashMap<>();
    for (String line : out.split("\n")) {
      String[] cells = line.strip().split("\\s+");
      if (cells.length == 3) {
        depths.put(cells[0], new QueueDepth(Long.parseLong(cells[1]), Long.parseLong(cells[2])));
      }
    }
    return depths;
  }

  /**
   * Waits until each queue holds exactly its expected number of ready messages (a passive declare
   * on {@code channel} per queue, every 100 ms); fails with the counts seen after {@code timeout}.
   */
  public static void awaitReadyCounts(
      Channel channel, Map<String, Long> expected, Duration timeout, String context)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Long> seen = new TreeMap<>();
    while (true) {
      for (String q : expected.keySet()) {
        seen.put(q, (long) channel.queueDeclarePassive(q).getMessageCount());
      }
      if (seen.equals(expected) || System.nanoTime() > deadline) {
        assertThat(seen).as("ready messages per queue, %s", context).isEqualTo(expected);
        return;
      }
      Thread.sleep(100);
    }
  }

  /**
   * Waits until every one of {@code queues} exists and holds no message, neither ready nor
   * delivered and unacknowledged, and fails with the depths the broker reports if that does not
   * happen within {@code timeout}.
   */
  public void awaitEmpty(Duration timeout, String... queues) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, QueueDepth> depths;
    while (true) {
      depths = queueDepths();
      boolean empty = true;
      for (String q : queues) {
        QueueDepth d = depths.get(q);
        empty &= d != null && d.isEmpty();
      }
      if (empty) {
        return;
      }
      if (System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(250);
    }
    StringBuilder report = new StringBuilder();
    for (String q : queues) {
      QueueDepth d = depths.get(q);
      report.append(
          String.format(
              "%n  %s: %s",
              q, d == null ? "missing" : d.ready() + " ready, " + d.unacked() + " unacked"));
    }
    throw new AssertionError(
        "queues of vhost " + vhost + " not empty after " + timeout + ":" + report);
  }

  private String requireVhost() {
    if (vhost == null) {
      throw new IllegalStateException("no vhost: use RabbitMqVhost as a @RegisterExtension field");
    }
    return vhost;
  }

  /** Empty when the broker can be used, else why not. */
  static Optional<String> whyUnavailable() {
    if (rabbitmqctl().isEmpty()) {
      return Optional.of("rabbitmqctl not found on PATH or in /usr/sbin");
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, PORT), 1_000);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("nothing listens: " + e.getMessage());
    }
  }

  static Optional<Path> rabbitmqctl() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(":")) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "rabbitmqctl"));
        }
      }
    }
    CTL_CANDIDATES.forEach(c -> candidates.add(Path.of(c)));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /**
   * Runs {@code rabbitmqctl args…} for a test that makes its own scratch users or changes and
   * restores broker state; fails the test with its output on error.
   */
  public static String rabbitmqctl(String... args) throws IOException, InterruptedException {
    return ctl(args);
  }

  /** Runs {@code rabbitmqctl args…}, bounded in time; fails the test with its output on error. */
  /** Sets a policy on this virtual host's queues ({@code rabbitmqctl set_policy}). */
  public void setPolicy(String name, String pattern, String definitionJson)
      throws IOException, InterruptedException {
    ctl("set_policy", "-p", vhost, "--apply-to", "queues", name, pattern, definitionJson);
  }

  /** Removes a policy set by {@link #setPolicy}. */
  public void clearPolicy(String name) throws IOException, InterruptedException {
    ctl("clear_policy", "-p", vhost, name);
  }

  private static String ctl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(rabbitmqctl().orElseThrow().toString());
    command.addAll(List.of(args));
    Path output = Files.createTempFile("rabbitmqctl", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!p.waitFor(CTL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("rabbitmqctl " + String.join(" ", args) + " timed out");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(p.exitValue())
          .as("rabbitmqctl %s failed:%n%s", String.join(" ", args), text)
          .isZero();
      return text;
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
