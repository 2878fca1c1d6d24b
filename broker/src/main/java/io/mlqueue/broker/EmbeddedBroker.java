package io.mlqueue.broker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.State;
import org.apache.qpid.server.model.SystemConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMQP 0-9-1 broker (Apache Qpid Broker-J) running inside this JVM, with in-memory queues.
 *
 * <p>It serves the demo and the component tests, which talk to it with the RabbitMQ Java client
 * just as they would to a real RabbitMQ. Every instance is independent, so tests may run several at
 * once, each on its own ephemeral port. Qpid writes nothing to standard output; its log lines go
 * through SLF4J, to the loggers {@code org.apache.qpid} and {@code qpid}. Routine start-up logs
 * only at INFO there, so with those loggers at WARN a healthy broker is silent.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = EmbeddedBroker.start()) {
 *   factory.setUri(broker.amqpUri());
 * }
 * }</pre>
 */
public final class EmbeddedBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
  private static final String CONFIG_RESOURCE = "broker-config.json";

  private final SystemLauncher launcher;
  private final Options options;
  private final int port;
  private final Path workDir;
  private final Duration startTime;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedBroker(
      SystemLauncher launcher, Options options, int port, Path workDir, Duration startTime) {
    this.launcher = launcher;
    this.options = options;
    this.port = port;
    this.workDir = workDir;
    this.startTime = startTime;
  }

  /** Starts a broker with {@link Options#defaults()}. */
  public static EmbeddedBroker start() {
    return start(Options.defaults());
  }

  /**
   * Starts a broker and returns once its AMQP port accepts connections.
   *
   * @throws BrokerStartException if the broker cannot start, e.g. because the port is in use
   */
  public static EmbeddedBroker start(Options options) {
    Objects.requireNonNull(options, "options");
    long begin = System.nanoTime();
    if (options.port() != 0) {
      requireFreePort(options);
    }
    Path workDir = options.workDir().orElseGet(WorkDirs::createTemp);
    StartupListener listener = new StartupListener();
    SystemLauncher launcher = new SystemLauncher(listener);
    try {
      launcher.startup(systemAttributes(options, workDir));
      int boundPort = boundAmqpPort(listener.broker());
      Duration startTime = Duration.ofNanos(System.nanoTime() - begin);
      LOG.info(
          "Embedded AMQP broker listening on {}:{} (started in {} ms)",
          options.bindAddress(),
          boundPort,
          startTime.toMillis());
      return new EmbeddedBroker(launcher, options, boundPort, workDir, startTime);
    } catch (Exception e) {
      launcher.shutdown();
      if (options.workDir().isEmpty()) {
        WorkDirs.deleteQuietly(workDir);
      }
      throw new BrokerStartException(options, e);
    }
  }

  /** The TCP port the broker listens on; the one the system chose when port 0 was asked for. */
  public int port() {
    return port;
  }

  /** The options the broker was started with. */
  public Options options() {
    return options;
  }

  /** The directory Qpid keeps its files in; a temp one is deleted on {@link #close()}. */
  public Path workDir() {
    return workDir;
  }

  /** How long {@link #start(Options)} took, from the call until the port accepted connections. */
  public Duration startTime() {
    return startTime;
  }

  /**
   * A URI for the RabbitMQ client's {@code ConnectionFactory.setUri}, with the credentials and the
   * virtual host {@code /}, e.g. {@code amqp://guest:guest@127.0.0.1:5672/%2F}.
   */
  public String amqpUri() {
    return "amqp://%s:%s@%s:%d/%%2F"
        .formatted(
            urlEncode(options.username()),
            urlEncode(options.password()),
            uriHost(options.bindAddress()),
            port);
  }

  /** Stops the broker, frees its port and deletes the work directory it created; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    launcher.shutdown();
    if (options.workDir().isEmpty()) {
      WorkDirs.deleteQuietly(workDir);
    }
    LOG.info("Embedded AMQP broker on port {} stopped", port);
  }

  @Override
  public String toString() {
    return "EmbeddedBroker[" + options.bindAddress() + ":" + port + "]";
  }

  private static Map<String, Object> systemAttributes(Options options, Path workDir) {
    URL config = EmbeddedBroker.class.getResource(CONFIG_RESOURCE);
    if (config == null) {
      throw new IllegalStateException("missing classpath resource " + CONFIG_RESOURCE);
    }
    // The JSON refers to these context variables, so one file serves every port and credential.
    Map<String, String> context =
        Map.ofEntries(
            Map.entry(SystemConfig.QPID_WORK_DIR, workDir.toString()),
            Map.entry("mlqueue.amqp_port", Integer.toString(options.port())),
            Map.entry("mlqueue.bind_address", options.bindAddress()),
            Map.entry("mlqueue.username", options.username()),
            Map.entry("mlqueue.password", options.password()));
    return Map.ofEntries(
        Map.entry(SystemConfig.TYPE, "Memory"),
        Map.entry(SystemConfig.INITIAL_CONFIGURATION_LOCATION, config.toExternalForm()),
        Map.entry(SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false),
        Map.entry(SystemConfig.CONTEXT, context));
  }

  /**
   * Qpid meets a taken port with an ERROR stack trace and a broker left running without it, so a
   * fixed port is tried first, to fail with one plain sentence. Qpid binds with SO_REUSEADDR too.
   */
  private static void requireFreePort(Options options) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(options.bindAddress(), options.port()));
    } catch (IOException e) {
      throw new BrokerStartException(options, "the port is already in use or cannot be bound", e);
    }
  }

  private static int boundAmqpPort(Broker<?> broker) {
    Port<?> amqp =
        broker.getPorts().stream()
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the broker has no AMQP port"));
    if (amqp.getState() != State.ACTIVE) {
      throw new IllegalStateException(
          "the AMQP port is " + amqp.getState() + ", Qpid logged the reason");
    }
    return amqp.getBoundPort();
  }

  /** Percent-encodes user info; the RabbitMQ client decodes "+" as a plus, not as a space. */
  private static String urlEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A wildcard bind address is not something to connect to; a local client uses loopback. */
  private static String uriHost(String bindAddress) {
    return switch (bindAddress) {
      case "0.0.0.0" -> "127.0.0.1";
      case "::" -> "[::1]";
      default -> bindAddress.contains(":") ? "[" + bindAddress + "]" : bindAddress;
    };
  }

  /**
   * How to start a broker. {@link #defaults()} gives an ephemeral port on 127.0.0.1, the user
   * guest/guest (the RabbitMQ client's default) and a temp work directory deleted on close; the
   * {@code with…} methods change one setting each.
   *
   * @param port the TCP port, or 0 to let the system choose a free one
   * @param bindAddress the address to listen on; "0.0.0.0" listens on every interface
   * @param username the only user the broker accepts
   * @param password that user's password
   * @param workDir a directory the broker keeps (and does not delete); empty for a temp one
   */
  public record Options(
      int port, String bindAddress, String username, String password, Optional<Path> workDir) {

    /** Validates the settings, so a bad one fails here rather than deep inside Qpid. */
    public Options {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("broker port must be 0..65535, was " + port);
      }
      requireText(bindAddress, "bindAddress");
      requireText(username, "username");
      requireText(password, "password");
      Objects.requireNonNull(workDir, "workDir");
    }

    /** An ephemeral port on 127.0.0.1, guest/guest, a temp work directory. */
    public static Options defaults() {
      return new Options(0, "127.0.0.1", "guest", "guest", Optional.empty());
    }

    /** These options with another port; 0 means ephemeral. */
    public Options withPort(int newPort) {
      return new Options(newPort, bindAddress, username, password, workDir);
    }

    /** These options with another bind address. */
    public Options withBindAddress(String newBindAddress) {
      return new Options(port, newBindAddress, username, password, workDir);
    }

    /** These options with another user. */
    public Options withCredentials(String newUsername, String newPassword) {
      return new Options(port, bindAddress, newUsername, newPassword, workDir);
    }

    /** These options with a work directory that outlives the broker. */
    public Options withWorkDir(Path newWorkDir) {
      return new Options(port, bindAddress, username, password, Optional.of(newWorkDir));
    }

    /** Leaves the password out, because options end up in logs and error messages. */
    @Override
    public String toString() {
      return "Options[port=%d, bindAddress=%s, username=%s, workDir=%s]"
          .formatted(port, bindAddress, username, workDir.map(Path::toString).orElse("(temp)"));
    }

    private static void requireText(String value, String name) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("broker " + name + " must not be blank");
      }
    }
  }
}
