package io.mlqueue.gateway;

import io.mlqueue.contract.PredictCodec;
import java.time.Duration;
import java.util.Objects;

/**
 * How the HTTP gateway listens and what it accepts. Every bound is checked here, with a message
 * that names the command-line option, so a bad value fails at start-up rather than on the first
 * request.
 *
 * @param host the address to bind, {@code 0.0.0.0} for every interface
 * @param port the TCP port, {@code 0} for an ephemeral one (see {@link GatewayServer#port()})
 * @param timeout how long a prediction may take before the client gets 504
 * @param maxInstances the most instances one request may carry
 * @param maxBodyBytes the largest request body accepted; a larger one gets 413
 * @param limits how slowly clients may send, and how many connections and requests are held
 */
public record GatewayConfig(
    String host,
    int port,
    Duration timeout,
    int maxInstances,
    int maxBodyBytes,
    ConnectionLimits limits) {

  /** Every interface. */
  public static final String DEFAULT_HOST = "0.0.0.0";

  public static final int DEFAULT_PORT = 8080;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_INSTANCES = 1_000;
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

  /** Enough for {@code {"features": [0]}} and a little more: a smaller limit is a mistake. */
  public static final int MIN_BODY_BYTES = 64;

  /** A body is parsed as it streams in, but 64 MiB of JSON is no longer a prediction request. */
  public static final int MAX_BODY_BYTES = 64 << 20;

  /** Longer than any sensible request deadline; beyond it a client has long given up. */
  public static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

  public GatewayConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(limits, "limits");
    if (host.isBlank()) {
      throw new IllegalArgumentException("the bind host must not be empty");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          "--port must be between 0 (any free port) and 65535, got " + port);
    }
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "--timeout must be more than 0 and at most "
              + MAX_TIMEOUT.toMinutes()
              + " minutes, got "
              + timeout);
    }
    // One request becomes one broker message, and the workers refuse a message with more.
    if (maxInstances < 1 || maxInstances > PredictCodec.MAX_INSTANCES) {
      throw new IllegalArgumentException(
          "--max-instances must be between 1 and "
              + PredictCodec.MAX_INSTANCES
              + " (the most one call to the model workers carries), got "
              + maxInstances);
    }
    if (maxBodyBytes < MIN_BODY_BYTES || maxBodyBytes > MAX_BODY_BYTES) {
      throw new IllegalArgumentException(
          "--max-body must be between "
              + MIN_BODY_BYTES
              + " bytes and "
              + (MAX_BODY_BYTES >> 20)
              + " MiB, got "
              + maxBodyBytes
              + " bytes");
    }
  }

  /** With the default {@link ConnectionLimits}. */
  public GatewayConfig(
      String host, int port, Duration timeout, int maxInstances, int maxBodyBytes) {
    this(host, port, timeout, maxInstances, maxBodyBytes, ConnectionLimits.defaults());
  }

  /**
   * All defaults: every interface, port 8080, 5 s, 1,000 instances, 1 MiB, and the default {@link
   * ConnectionLimits}.
   */
  public static GatewayConfig defaults() {
    return new GatewayConfig(
        DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT, DEFAULT_MAX_INSTANCES, DEFAULT_MAX_BODY_BYTES);
  }

  public GatewayConfig withHost(String host) {
    return new GatewayConfig(host, port, timeout, maxInstances, maxBodyBytes, limits);
  }

  public GatewayConfig withPort(int port) {
    return new GatewayConfig(host, port, timeout, maxInstances, maxBodyBytes, limits);
  }

  public GatewayConfig withTimeout(Duration timeout) {
    return new GatewayConfig(host, port, timeout, maxInstances, maxBodyBytes, limits);
  }

  public GatewayConfig withMaxInstances(int maxInstances) {
    return new GatewayConfig(host, port, timeout, maxInstances, maxBodyBytes, limits);
  }

  public GatewayConfig withMaxBodyBytes(int maxBodyBytes) {
    return new GatewayConfig(host, port, timeout, maxInstances, maxBodyBytes, limits);
  }

  public GatewayConfig withLimits(ConnectionLimits limits) {
    return new GatewayConfig(host, port, timeout, maxInstances, maxBodyBytes, limits);
  }
}
