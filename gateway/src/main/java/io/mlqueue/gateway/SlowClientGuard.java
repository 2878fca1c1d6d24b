package io.mlqueue.gateway;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts off clients that send a request too slowly (slowloris): a request's line, headers and body
 * must arrive within the read timeout of its first byte. Helidon's idle timeout closes a connection
 * that sends nothing, but once a request line is in, Helidon waits for the headers and the body for
 * as long as they trickle in, each byte holding the connection open.
 *
 * <p>Helidon reads each HTTP/1 connection on its own virtual thread and calls its listeners and the
 * route's handler on that thread, so the thread names the connection. {@link #receiving()} sees
 * each request start (its first bytes, its request line) and its headers; a request without a body
 * is then whole. The handler says when it has read a body to its end ({@link #requestRead()}), and
 * {@link #sending()} sees every answer, including those Helidon sends without a handler (a refused
 * {@code Content-Length}, a malformed header): either ends the request's clock.
 *
 * <p>Once a request's time is up, a handler reading its body gets {@link #expired()} on its next
 * read and answers 408; a client that stalled entirely is disconnected a second later by the sweep.
 */
final class SlowClientGuard implements AutoCloseable {
  static final String CUT_OFF = "mlqueue.gateway.slow.clients";

  /** Room for the handler's own 408 before the connection is simply closed. */
  private static final long GRACE_NANOS = Duration.ofSeconds(1).toNanos();

  private static final Logger LOG = LoggerFactory.getLogger(SlowClientGuard.class);

  /** A request being read: its connection and when its time is up ({@link System#nanoTime()}). */
  private record Reading(ConnectionContext connection, long deadline) {}

  private final long timeoutNanos;
  private final Map<Thread, Reading> reading = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper;
  private final Counter cutOff;

  SlowClientGuard(Duration timeout, MeterRegistry registry) {
    this.timeoutNanos = timeout.toNanos();
    this.cutOff =
        Counter.builder(CUT_OFF)
            .description(
                "Connections closed because a request did not arrive whole within the read"
                    + " timeout (slow or stalled clients)")
            .register(registry);
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gateway-slow-client-sweep");
              t.setDaemon(true);
              return t;
            });
    // A tenth of the timeout, at most 250 ms: a stalled client is cut within that of its time.
    long period = Math.min(timeoutNanos / 10, TimeUnit.MILLISECONDS.toNanos(250));
    sweeper.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
  }

  /** To add to Helidon's HTTP/1 receive listeners. */
  Http1ConnectionListener receiving() {
    return new Http1ConnectionListener() {
      @Override
      public void data(ConnectionContext ctx, BufferData data) {
        started(ctx);
      }

      @Override
      public void data(ConnectionContext ctx, byte[] bytes, int offset, int length) {
        started(ctx);
      }

      @Override
      public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        started(ctx);
      }

      @Override
      public void headers(ConnectionContext ctx, Headers headers) {
        if (!hasBody(headers)) {
          requestRead();
        }
      }
    };
  }

  /** To add to Helidon's HTTP/1 send listeners. */
  Http1ConnectionListener sending() {
    return new Http1ConnectionListener() {
      @Override
      public void status(ConnectionContext ctx, Status status) {
        requestRead();
      }
    };
  }

  /** The request on this thread's connection has been read to its end (or given up on). */
  void requestRead() {
    reading.remove(Thread.currentThread());
  }

  /** Whether the request on this thread's connection is past its time to arrive. */
  boolean expired() {
    Reading r = reading.get(Thread.currentThread());
    return r != null && System.nanoTime() - r.deadline() > 0;
  }

  /** Requests being read right now (for tests). */
  int reading() {
    return reading.size();
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }

  private void started(ConnectionContext ctx) {
    // The first sign of a request starts its clock; later bytes of the same request do not.
    reading.computeIfAbsent(
        Thread.currentThread(), t -> new Reading(ctx, System.nanoTime() + timeoutNanos));
  }

  private void sweep() {
    long now = System.nanoTime();
    reading.forEach(
        (thread, r) -> {
          if (!thread.isAlive()) {
            // The connection ended mid-request (the client left): nothing to cut.
            reading.remove(thread, r);
          } else if (now - r.deadline() - GRACE_NANOS > 0 && reading.remove(thread, r)) {
            cut(r.connection());
          }
        });
  }

  private void cut(ConnectionContext ctx) {
    try {
      // The connection's thread, blocked reading, fails at once and Helidon ends the connection.
      // A connection that ended by itself meanwhile is closed twice, which does nothing.
      cutOff.increment();
      ctx.serverSocket().close();
      LOG.debug("closed a connection whose request did not arrive within the read timeout");
    } catch (RuntimeException e) {
      LOG.debug("closing a slow client's connection failed", e);
    }
  }

  /** Whether a request with these headers carries a body. */
  static boolean hasBody(Headers headers) {
    try {
      return headers.contains(HeaderNames.TRANSFER_ENCODING)
          || headers.contentLength().orElse(0) > 0;
    } catch (RuntimeException e) {
      // A Content-Length that is not a number: the framing is unknown, so assume the worst.
      return true;
    }
  }
}
