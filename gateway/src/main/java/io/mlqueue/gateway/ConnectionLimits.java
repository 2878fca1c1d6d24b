package io.mlqueue.gateway;

import java.time.Duration;
import java.util.Objects;

/**
 * How the gateway protects itself from its clients: how slowly a request may arrive, how long an
 * idle connection is kept, and how many connections and requests it holds at once. All are on by
 * default; each bound is checked here, with a message that names the command-line option.
 *
 * <p>The defaults, and why:
 *
 * <ul>
 *   <li>{@code readTimeout} 10 s: a request's line, headers and body must all arrive within it of
 *       its first byte. A prediction request is small (1 MiB at most, typically a few hundred
 *       bytes); a client that cannot send one in 10 s is broken or a slowloris attack, and holds a
 *       connection for nothing. A client still sending gets 408; one that stalled is disconnected.
 *   <li>{@code idleTimeout} 60 s: a connection with no request in progress is closed after it, and
 *       so is one that never sends a byte. Behind a load balancer, set it above the balancer's own
 *       idle timeout, or the two race to close the same connection.
 *   <li>{@code maxConnections} 2,048: connections held at once; more wait in the kernel's accept
 *       queue until one closes. An open connection costs about 25 KB of heap (Helidon's buffers and
 *       its virtual thread: 10,000 idle connections filled a 256 MB heap), so 2,048 stay near 50 MB
 *       however many a client opens, a fifth of a 256 MB heap. Under a flood of connections opened
 *       and closed by the thousand, 4,096 kept a 256 MB heap's old generation full.
 *   <li>{@code maxConcurrentRequests} 1,024: requests being handled at once, each on its own
 *       virtual thread waiting for its reply; beyond it a 503 at once instead of a queue that grows
 *       with the load. At the measured 8,000 requests/s and a 10 ms p99, about 80 are in flight.
 * </ul>
 *
 * @param readTimeout the longest a request may take to arrive whole, from its first byte
 * @param idleTimeout the longest a connection is kept without a request in progress
 * @param maxConnections the most TCP connections held at once
 * @param maxConcurrentRequests the most requests handled at once; more get 503
 */
public record ConnectionLimits(
    Duration readTimeout, Duration idleTimeout, int maxConnections, int maxConcurrentRequests) {

  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_CONNECTIONS = 2_048;
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 1_024;

  /** Shorter than a client's round trip on a slow network: a mistake, not a limit. */
  public static final Duration MIN_TIMEOUT = Duration.ofMillis(100);

  /** Past an hour a timeout no longer protects anything. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

  /** Far beyond what one process can hold open (each connection is a file descriptor). */
  public static final int MAX_CONNECTIONS = 1 << 20;

  public ConnectionLimits {
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    checkTimeout("--read-timeout", readTimeout);
    checkTimeout("--idle-timeout", idleTimeout);
    checkCount("--max-connections", maxConnections);
    checkCount("--max-concurrent-requests", maxConcurrentRequests);
  }

  /** 10 s to send a request, 60 s idle, 2,048 connections, 1,024 concurrent requests. */
  public static ConnectionLimits defaults() {
    return new ConnectionLimits(
        DEFAULT_READ_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_CONCURRENT_REQUESTS);
  }

  public ConnectionLimits withReadTimeout(Duration readTimeout) {
    return new ConnectionLimits(readTimeout, idleTimeout, maxConnections, maxConcurrentRequests);
  }

  public ConnectionLimits withIdleTimeout(Duration idleTimeout) {
    return new ConnectionLimits(readTimeout, idleTimeout, maxConnections, maxConcurrentRequests);
  }

  public ConnectionLimits withMaxConnections(int maxConnections) {
    return new ConnectionLimits(readTimeout, idleTimeout, maxConnections, maxConcurrentRequests);
  }

  public ConnectionLimits withMaxConcurrentRequests(int maxConcurrentRequests) {
    return new ConnectionLimits(readTimeout, idleTimeout, maxConnections, maxConcurrentRequests);
  }

  /**
   * How often idle connections are looked for: a quarter of the idle timeout, at most a second, so
   * a connection is closed within that much after its time is up.
   */
  Duration idleCheckPeriod() {
    Duration quarter = idleTimeout.dividedBy(4);
    return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? quarter : Duration.ofSeconds(1);
  }

  private static void checkTimeout(String option, Duration d) {
    if (d.compareTo(MIN_TIMEOUT) < 0 || d.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          option + " must be between " + MIN_TIMEOUT.toMillis() + " ms and 1 hour, got " + d);
    }
  }

  private static void checkCount(String option, int n) {
    if (n < 1 || n > MAX_CONNECTIONS) {
      throw new IllegalArgumentException(
          option + " must be between 1 and " + MAX_CONNECTIONS + ", got " + n);
    }
  }
}
