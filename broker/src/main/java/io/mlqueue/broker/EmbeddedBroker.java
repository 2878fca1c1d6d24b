package io.mlqueue.broker;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.KeyStore;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.State;
import org.apache.qpid.server.model.SystemConfig;
import org.apache.qpid.server.security.NonJavaKeyStore;
import org.apache.qpid.server.transport.network.security.ssl.SSLUtil;
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
 *
 * <p>With {@link Options#withTls} it also serves AMQPS (AMQP over TLS) on a second port, with a
 * certificate and private key from PEM files, for clients that connect to {@code amqps://} URIs.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
  private static final String CONFIG_RESOURCE = "broker-config.json";

  /** Names of objects in broker-config.json and of those added for TLS. */
  private static final String AMQP_PORT = "AMQP";

  private static final String AMQPS_PORT = "AMQPS";
  private static final String TLS_KEY_STORE = "tls";

  private final SystemLauncher launcher;
  private final Options options;
  private final int port;
  private final OptionalInt tlsPort;
  private final Path workDir;
  private final Duration startTime;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedBroker(
      SystemLauncher launcher,
      Options options,
      int port,
      OptionalInt tlsPort,
      Path workDir,
      Duration startTime) {
    this.launcher = launcher;
    this.options = options;
    this.port = port;
    this.tlsPort = tlsPort;
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
      requireFreePort(options, options.port());
    }
    if (options.tls().isPresent() && options.tls().get().port() != 0) {
      requireFreePort(options, options.tls().get().port());
    }
    Path workDir = options.workDir().orElseGet(WorkDirs::createTemp);
    StartupListener listener = new StartupListener();
    SystemLauncher launcher = new SystemLauncher(listener);
    try {
      launcher.startup(systemAttributes(options, workDir));
      int boundPort = boundPort(listener.broker(), AMQP_PORT);
      OptionalInt boundTlsPort = OptionalInt.empty();
      if (options.tls().isPresent()) {
        requireActiveKeyStore(listener.broker());
        boundTlsPort = OptionalInt.of(boundPort(listener.broker(), AMQPS_PORT));
      }
      Duration startTime = Duration.ofNanos(System.nanoTime() - begin);
      LOG.info(
          "Embedded AMQP broker listening on {}:{}{} (started in {} ms)",
          options.bindAddress(),
          boundPort,
          boundTlsPort.isPresent() ? ", AMQPS on port " + boundTlsPort.getAsInt() : "",
          startTime.toMillis());
      return new EmbeddedBroker(launcher, options, boundPort, boundTlsPort, workDir, startTime);
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

  /** The port AMQPS (TLS) is served on, if the broker was started {@link Options#withTls}. */
  public OptionalInt tlsPort() {
    return tlsPort;
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
    return uri("amqp", port);
  }

  /**
   * Like {@link #amqpUri()}, for the TLS port: {@code amqps://guest:guest@127.0.0.1:5671/%2F}.
   *
   * @throws IllegalStateException if the broker serves no TLS port
   */
  public String amqpsUri() {
    return uri(
        "amqps",
        tlsPort.orElseThrow(() -> new IllegalStateException("the broker was started without TLS")));
  }

  private String uri(String scheme, int uriPort) {
    return "%s://%s:%s@%s:%d/%%2F"
        .formatted(
            scheme,
            urlEncode(options.username()),
            urlEncode(options.password()),
            uriHost(options.bindAddress()),
            uriPort);
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

  private static Map<String, Object> systemAttributes(Options options, Path workDir)
      throws IOException {
    URL config = EmbeddedBroker.class.getResource(CONFIG_RESOURCE);
    if (config == null) {
      throw new IllegalStateException("missing classpath resource " + CONFIG_RESOURCE);
    }
    // The JSON refers to these context variables, so one file serves every port and credential.
    Map<String, String> context = new HashMap<>();
    context.put(SystemConfig.QPID_WORK_DIR, workDir.toString());
    context.put("mlqueue.amqp_port", Integer.toString(options.port()));
    context.put("mlqueue.bind_address", options.bindAddress());
    context.put("mlqueue.username", options.username());
    context.put("mlqueue.password", options.password());
    if (options.tls().isPresent()) {
      Tls tls = options.tls().get();
      context.put("mlqueue.amqps_port", Integer.toString(tls.port()));
      context.put("mlqueue.tls_certificate", tls.certificateChain().toUri().toString());
      context.put("mlqueue.tls_private_key", tls.privateKey().toUri().toString());
      config = withTlsPort(config, workDir);
    }
    return Map.ofEntries(
        Map.entry(SystemConfig.TYPE, "Memory"),
        Map.entry(SystemConfig.INITIAL_CONFIGURATION_LOCATION, config.toExternalForm()),
        Map.entry(SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false),
        Map.entry(SystemConfig.CONTEXT, context));
  }

  /**
   * The configuration plus a key store with the PEM certificate and key, and a second AMQP port,
   * like the first but TLS only. Written to the work directory: Qpid reads its initial
   * configuration from a URL. (Adding the port to the running broker instead works too, but makes
   * Qpid warn that the new port has no virtual host aliases before it adds the default ones.)
   */
  private static URL withTlsPort(URL config, Path workDir) throws IOException {
    ObjectMapper json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
    ObjectNode root = (ObjectNode) json.readTree(config);
    root.withArrayProperty("keystores")
        .addObject()
        .put("name", TLS_KEY_STORE)
        .put("type", "NonJavaKeyStore")
        .put(NonJavaKeyStore.CERTIFICATE_URL, "${mlqueue.tls_certificate}")
        .put(NonJavaKeyStore.PRIVATE_KEY_URL, "${mlqueue.tls_private_key}");
    ArrayNode ports = root.withArrayProperty("ports");
    ObjectNode amqps = ports.get(0).deepCopy();
    amqps.put("name", AMQPS_PORT).put("port", "${mlqueue.amqps_port}");
    amqps.put(Port.KEY_STORE, TLS_KEY_STORE);
    amqps.putArray(Port.TRANSPORTS).add("SSL");
    ports.add(amqps);
    Path file = workDir.resolve("broker-config-tls.json");
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    return file.toUri().toURL();
  }

  /**
   * Qpid meets a taken port with an ERROR stack trace and a broker left running without it, so a
   * fixed port is tried first, to fail with one plain sentence. Qpid binds with SO_REUSEADDR too.
   */
  private static void requireFreePort(Options options, int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(options.bindAddress(), port));
    } catch (IOException e) {
      throw new BrokerStartException(
          options, "the port " + port + " is already in use or cannot be bound", e);
    }
  }

  /** Qpid leaves a TLS port active even when its key store failed; such a port serves nobody. */
  private static void requireActiveKeyStore(Broker<?> broker) {
    for (KeyStore<?> store : broker.getChildren(KeyStore.class)) {
      if (store.getState() != State.ACTIVE) {
        throw new IllegalStateException(
            "the TLS key store is " + store.getState() + ", Qpid logged the reason");
      }
    }
  }

  private static int boundPort(Broker<?> broker, String name) {
    Port<?> port =
        broker.getPorts().stream()
            .filter(p -> name.equals(p.getName()))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the broker has no port " + name));
    if (port.getState() != State.ACTIVE) {
      throw new IllegalStateException(
          "the " + name + " port is " + port.getState() + ", Qpid logged the reason");
    }
    return port.getBoundPort();
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
   * @param tls a second port that serves AMQP over TLS; empty for none
   */
  public record Options(
      int port,
      String bindAddress,
      String username,
      String password,
      Optional<Path> workDir,
      Optional<Tls> tls) {

    /** Validates the settings, so a bad one fails here rather than deep inside Qpid. */
    public Options {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("broker port must be 0..65535, was " + port);
      }
      requireText(bindAddress, "bindAddress");
      requireText(username, "username");
      requireText(password, "password");
      Objects.requireNonNull(workDir, "workDir");
      Objects.requireNonNull(tls, "tls");
    }

    /** An ephemeral port on 127.0.0.1, guest/guest, a temp work directory, no TLS. */
    public static Options defaults() {
      return new Options(0, "127.0.0.1", "guest", "guest", Optional.empty(), Optional.empty());
    }

    /** These options with another port; 0 means ephemeral. */
    public Options withPort(int newPort) {
      return new Options(newPort, bindAddress, username, password, workDir, tls);
    }

    /** These options with another bind address. */
    public Options withBindAddress(String newBindAddress) {
      return new Options(port, newBindAddress, username, password, workDir, tls);
    }

    /** These options with another user. */
    public Options withCredentials(String newUsername, String newPassword) {
      return new Options(port, bindAddress, newUsername, newPassword, workDir, tls);
    }

    /** These options with a work directory that outlives the broker. */
    public Options withWorkDir(Path newWorkDir) {
      return new Options(port, bindAddress, username, password, Optional.of(newWorkDir), tls);
    }

    /** These options with a TLS port as well; see {@link Tls}. */
    public Options withTls(Tls newTls) {
      return new Options(port, bindAddress, username, password, workDir, Optional.of(newTls));
    }

    /** Leaves the password out, because options end up in logs and error messages. */
    @Override
    public String toString() {
      return "Options[port=%d, bindAddress=%s, username=%s, workDir=%s%s]"
          .formatted(
              port,
              bindAddress,
              username,
              workDir.map(Path::toString).orElse("(temp)"),
              tls.map(t -> ", tlsPort=" + t.port()).orElse(""));
    }

    private static void requireText(String value, String name) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("broker " + name + " must not be blank");
      }
    }
  }

  /**
   * A port that serves AMQP over TLS only.
   *
   * @param port the TCP port, or 0 to let the system choose a free one
   * @param certificateChain a PEM file with the broker's certificate, then any intermediate CA
   *     certificates; it should name the host clients connect to, as they verify that
   * @param privateKey a PEM file with the certificate's RSA private key, unencrypted (PKCS#8 {@code
   *     BEGIN PRIVATE KEY}, or PKCS#1 {@code BEGIN RSA PRIVATE KEY})
   */
  public record Tls(int port, Path certificateChain, Path privateKey) {
    /**
     * Reads both files here, with the parser Qpid uses, so a wrong path or content fails with one
     * sentence naming the file; inside Qpid it would be a stack trace and a port without TLS.
     */
    public Tls {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("broker TLS port must be 0..65535, was " + port);
      }
      requireReadable(certificateChain, "TLS certificate");
      requireReadable(privateKey, "TLS private key");
      try {
        if (SSLUtil.readCertificates(certificateChain.toUri().toURL()).length == 0) {
          throw new GeneralSecurityException("no certificate in it");
        }
      } catch (IOException | GeneralSecurityException e) {
        throw unreadable(certificateChain, "a PEM certificate", e);
      }
      try {
        SSLUtil.readPrivateKey(privateKey.toUri().toURL());
      } catch (IOException | GeneralSecurityException e) {
        throw unreadable(privateKey, "an unencrypted PEM RSA private key", e);
      }
    }

    private static void requireReadable(Path file, String what) {
      Objects.requireNonNull(file, what);
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException(
            "broker " + what + " file " + file + " does not exist or cannot be read");
      }
    }

    private static IllegalArgumentException unreadable(Path file, String expected, Exception e) {
      return new IllegalArgumentException(
          "broker TLS file " + file + " is not " + expected + " (" + e.getMessage() + ")", e);
    }
  }
}
