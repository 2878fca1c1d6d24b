package io.mlqueue.amqp;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a service reaches the broker. Validated once, at start-up, with messages that name the setting.
 *
 * @param uri the AMQP URI, e.g. {@code amqp://guest:guest@localhost:5672/%2F}
 * @param mode how queues are declared
 * @param prefetch unacknowledged deliveries a consumer may hold, the bound on its in-flight work
 * @param connectTimeout how long to keep retrying when the broker cannot be reached at start-up
 */
public record AmqpSettings(String uri, TopologyMode mode, int prefetch, Duration connectTimeout) {
  /** Environment variable that overrides the default URI. */
  public static final String URI_ENV = "MLQUEUE_AMQP_URI";

  public static final String DEFAULT_URI = "amqp://guest:guest@localhost:5672/%2F";
  public static final int DEFAULT_PREFETCH = 250;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMinutes(5);

  public AmqpSettings {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    try {
      URI parsed = new URI(uri);
      String scheme = parsed.getScheme();
      if (!"amqp".equals(scheme) && !"amqps".equals(scheme)) {
        throw new IllegalArgumentException(
            "--amqp-uri must start with amqp:// or amqps://, was " + redact(uri));
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--amqp-uri is not a valid URI: " + redact(uri), e);
    }
    if (prefetch < 1 || prefetch > 65_535) {
      throw new IllegalArgumentException("--prefetch must be 1 to 65535, was " + prefetch);
    }
  }

  /** Defaults: the URI from the environment or localhost, durable topology. */
  public static AmqpSettings defaults() {
    return new AmqpSettings(
        defaultUri(), TopologyMode.DURABLE, DEFAULT_PREFETCH, DEFAULT_CONNECT_TIMEOUT);
  }

  public static AmqpSettings of(String uri) {
    return new AmqpSettings(uri, TopologyMode.DURABLE, DEFAULT_PREFETCH, DEFAULT_CONNECT_TIMEOUT);
  }

  public AmqpSettings withMode(TopologyMode newMode) {
    return new AmqpSettings(uri, newMode, prefetch, connectTimeout);
  }

  public AmqpSettings withPrefetch(int newPrefetch) {
    return new AmqpSettings(uri, mode, newPrefetch, connectTimeout);
  }

  public AmqpSettings withConnectTimeout(Duration timeout) {
    return new AmqpSettings(uri, mode, prefetch, timeout);
  }

  /** {@value #URI_ENV} if set, else {@value #DEFAULT_URI}. */
  public static String defaultUri() {
    String env = System.getenv(URI_ENV);
    return env == null || env.isBlank() ? DEFAULT_URI : env.strip();
  }

  /** The URI with its password masked: safe for logs and error messages. */
  public String redactedUri() {
    return redact(uri);
  }

  /** Masks the password of an AMQP URI ({@code amqp://user:****@host/vhost}). */
  public static String redact(String uri) {
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
    return "AmqpSettings[uri=" + redactedUri() + ", mode=" + mode + ", prefetch=" + prefetch + "]";
  }
}
