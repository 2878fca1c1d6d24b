package io.mlqueue.amqp;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a service reaches the broker. Validated once, at start-up, with messages that name the
 * setting.
 *
 * @param uri the AMQP URI, e.g. {@code amqp://guest:guest@localhost:5672/%2F}; several, separated
 *     by commas, name the nodes of a cluster: credentials and virtual host come from the first, and
 *     the client connects to any node that answers and moves to another when its node fails
 * @param mode how queues are declared
 * @param queueType classic or quorum queues (durable mode only)
 * @param prefetch unacknowledged deliveries a consumer may hold, the bound on its in-flight work
 * @param connectTimeout how long to keep retrying when the broker cannot be reached at start-up
 * @param caFile for {@code amqps://} URIs: a PEM file with the CA certificates to trust instead of
 *     the JVM's default trust store, e.g. a private CA that signed the broker's certificate
 * @param poisonAttempts how often a message may fail in a consumer's handler while other messages
 *     go through before it is dead-lettered as a poison message; 0 never gives one up
 * @param tracer how messages are traced: {@link MessageTracer#OFF} (the default) adds nothing to
 *     them; on, W3C trace context travels in their headers
 */
public record AmqpSettings(
    String uri,
    TopologyMode mode,
    int prefetch,
    Duration connectTimeout,
    QueueType queueType,
    Optional<Path> caFile,
    int poisonAttempts,
    MessageTracer tracer) {
  /** Environment variable that overrides the default URI. */
  public static final String URI_ENV = "MLQUEUE_AMQP_URI";

  /**
   * Environment variable naming a file that holds the URI, for secrets mounted as files (Docker and
   * Kubernetes secrets) rather than passed in the environment.
   */
  public static final String URI_FILE_ENV = "MLQUEUE_AMQP_URI_FILE";

  public static final String DEFAULT_URI = "amqp://guest:guest@localhost:5672/%2F";
  public static final int DEFAULT_PREFETCH = 250;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMinutes(5);
  public static final int DEFAULT_POISON_ATTEMPTS = 5;

  public AmqpSettings {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(queueType, "queueType");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(tracer, "tracer");
    Set<String> schemes = new TreeSet<>();
    for (String one : split(uri)) {
      try {
        URI parsed = new URI(one);
        String scheme = parsed.getScheme();
        if (!"amqp".equals(scheme) && !"amqps".equals(scheme)) {
          throw new IllegalArgumentException(
              "--amqp-uri must start with amqp:// or amqps://, was " + redact(one));
        }
        schemes.add(scheme);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("--amqp-uri is not a valid URI: " + redact(one), e);
      }
    }
    // One connection factory serves every node, and it either speaks TLS or it does not.
    if (schemes.size() > 1) {
      throw new IllegalArgumentException(
          "--amqp-uri mixes amqp:// and amqps:// nodes; give every node the same scheme");
    }
    if (caFile.isPresent() && !schemes.contains("amqps")) {
      throw new IllegalArgumentException(
          "--amqp-ca-file is for amqps:// URIs, but --amqp-uri is "
              + redact(uri)
              + "; use amqps:// to connect over TLS or drop the CA file");
    }
    if (queueType == QueueType.QUORUM && mode == TopologyMode.COURSE) {
      throw new IllegalArgumentException(
          "--queue-type quorum needs durable queues; --compat course declares them non-durable");
    }
    if (prefetch < 1 || prefetch > 65_535) {
      throw new IllegalArgumentException("--prefetch must be 1 to 65535, was " + prefetch);
    }
    if (poisonAttempts < 0) {
      throw new IllegalArgumentException(
          "--poison-attempts must be 0 (never give a message up) or more, was " + poisonAttempts);
    }
  }

  /** Settings whose messages are not traced. */
  public AmqpSettings(
      String uri,
      TopologyMode mode,
      int prefetch,
      Duration connectTimeout,
      QueueType queueType,
      Optional<Path> caFile,
      int poisonAttempts) {
    this(uri, mode, prefetch, connectTimeout, queueType, caFile, poisonAttempts, MessageTracer.OFF);
  }

  /** Settings with the default poison-message limit. */
  public AmqpSettings(
      String uri,
      TopologyMode mode,
      int prefetch,
      Duration connectTimeout,
      QueueType queueType,
      Optional<Path> caFile) {
    this(uri, mode, prefetch, connectTimeout, queueType, caFile, DEFAULT_POISON_ATTEMPTS);
  }

  /** Settings that trust the JVM's default certificate authorities for {@code amqps://} URIs. */
  public AmqpSettings(
      String uri, TopologyMode mode, int prefetch, Duration connectTimeout, QueueType queueType) {
    this(uri, mode, prefetch, connectTimeout, queueType, Optional.empty());
  }

  /** Defaults: the URI from the environment or localhost, durable topology. */
  public static AmqpSettings defaults() {
    return new AmqpSettings(
        defaultUri(),
        TopologyMode.DURABLE,
        DEFAULT_PREFETCH,
        DEFAULT_CONNECT_TIMEOUT,
        QueueType.CLASSIC);
  }

  public static AmqpSettings of(String uri) {
    return new AmqpSettings(
        uri, TopologyMode.DURABLE, DEFAULT_PREFETCH, DEFAULT_CONNECT_TIMEOUT, QueueType.CLASSIC);
  }

  public AmqpSettings withMode(TopologyMode newMode) {
    return new AmqpSettings(
        uri, newMode, prefetch, connectTimeout, queueType, caFile, poisonAttempts, tracer);
  }

  public AmqpSettings withPrefetch(int newPrefetch) {
    return new AmqpSettings(
        uri, mode, newPrefetch, connectTimeout, queueType, caFile, poisonAttempts, tracer);
  }

  public AmqpSettings withConnectTimeout(Duration timeout) {
    return new AmqpSettings(
        uri, mode, prefetch, timeout, queueType, caFile, poisonAttempts, tracer);
  }

  public AmqpSettings withQueueType(QueueType type) {
    return new AmqpSettings(
        uri, mode, prefetch, connectTimeout, type, caFile, poisonAttempts, tracer);
  }

  public AmqpSettings withPoisonAttempts(int attempts) {
    return new AmqpSettings(
        uri, mode, prefetch, connectTimeout, queueType, caFile, attempts, tracer);
  }

  /**
   * These settings trusting the CA certificates in {@code pemFile} (instead of the JVM's default
   * ones) for the broker's certificate; only for {@code amqps://} URIs.
   */
  public AmqpSettings withCaFile(Path pemFile) {
    return new AmqpSettings(
        uri,
        mode,
        prefetch,
        connectTimeout,
        queueType,
        Optional.of(pemFile),
        poisonAttempts,
        tracer);
  }

  /** These settings with messages traced by {@code messageTracer}. */
  public AmqpSettings withTracer(MessageTracer messageTracer) {
    return new AmqpSettings(
        uri, mode, prefetch, connectTimeout, queueType, caFile, poisonAttempts, messageTracer);
  }

  /** Whether the connection is TLS ({@code amqps://}); every node has the same scheme. */
  public boolean tls() {
    return uris().get(0).startsWith("amqps:");
  }

  /**
   * The virtual host the URI names, as the client reads it: the path after the first slash,
   * percent-decoded ({@code %2F} is {@code /}); {@code /} when the URI has no path.
   */
  public String vhost() {
    String path = URI.create(uris().get(0)).getRawPath();
    if (path == null || path.isEmpty()) {
      return "/";
    }
    return java.net.URLDecoder.decode(
        path.substring(1).replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The user the URI names ({@code guest} when it names none, as the client defaults). */
  public String user() {
    String info = URI.create(uris().get(0)).getRawUserInfo();
    if (info == null || info.isEmpty()) {
      return "guest";
    }
    int colon = info.indexOf(':');
    return java.net.URLDecoder.decode(
        (colon >= 0 ? info.substring(0, colon) : info).replace("+", "%2B"),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Every URI of {@code uri}, in order (one, or the nodes of a cluster). */
  public java.util.List<String> uris() {
    return split(uri);
  }

  private static java.util.List<String> split(String uris) {
    java.util.List<String> all = new java.util.ArrayList<>();
    for (String one : uris.split(",")) {
      if (!one.isBlank()) {
        all.add(one.strip());
      }
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException("--amqp-uri is empty");
    }
    return all;
  }

  /**
   * {@value #URI_ENV} if set, else the file {@value #URI_FILE_ENV} names, else {@value
   * #DEFAULT_URI}.
   */
  public static String defaultUri() {
    String env = System.getenv(URI_ENV);
    if (env != null && !env.isBlank()) {
      return env.strip();
    }
    String file = System.getenv(URI_FILE_ENV);
    if (file != null && !file.isBlank()) {
      return readUri(Path.of(file.strip()));
    }
    return DEFAULT_URI;
  }

  /** The URI in {@code file} (its first non-blank line), with an error that never shows it. */
  public static String readUri(Path file) {
    try {
      return java.nio.file.Files.readAllLines(file).stream()
          .map(String::strip)
          .filter(line -> !line.isEmpty())
          .findFirst()
          .orElseThrow(
              () -> new IllegalArgumentException("the broker URI file " + file + " is empty"));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read the broker URI file " + file + ": " + e, e);
    }
  }

  /** The URI with its password masked: safe for logs and error messages. */
  public String redactedUri() {
    return redact(uri);
  }

  /** Masks the passwords of one AMQP URI or a comma-separated list of them. */
  public static String redact(String uris) {
    if (uris.indexOf(',') >= 0) {
      java.util.StringJoiner out = new java.util.StringJoiner(",");
      for (String one : uris.split(",", -1)) {
        out.add(redactOne(one));
      }
      return out.toString();
    }
    return redactOne(uris);
  }

  /** Masks the password of an AMQP URI ({@code amqp://user:****@host/vhost}). */
  private static String redactOne(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return uri;
    }
    int colon = uri.indexOf(':', scheme + 3);
    if (colon < 0 || colon > at) {
      return uri;
    }
    return uri.substring(0, colon + 1) + "****" + uri.substring(at);
  }

  @Override
  public String toString() {
    return "AmqpSettings[uri="
        + redactedUri()
        + ", mode="
        + mode
        + ", queueType="
        + queueType
        + ", prefetch="
        + prefetch
        + caFile.map(f -> ", caFile=" + f).orElse("")
        + "]";
  }
}
