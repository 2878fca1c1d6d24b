package io.mlqueue.app;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and Ctrl-C: the JVM runs shutdown hooks and exits when they return, so a hook must not
 * return before the service has drained — and must not wait forever either.
 */
final class Shutdown {
  private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

  /** How long a stop may take before the JVM exits anyway. */
  static final Duration GRACE = Duration.ofSeconds(30);

  private Shutdown() {}

  /**
   * A service that drained on request has done nothing wrong: exit 0 rather than the 143 the JVM would
   * report for SIGTERM, so supervisors tell a clean stop from a crash. Our hook has already released
   * everything the service held.
   */
  private static void exitCleanly(String service) {
    log.info("{}: stopped", service);
    Runtime.getRuntime().halt(0);
  }

  /**
   * The stop of a service the main thread merely keeps alive. Installed before anything is started,
   * so a SIGTERM during start-up (waiting for the broker, say) stops cleanly too: the hook closes
   * whatever has been {@linkplain #closeOnStop registered} so far, newest first, and the JVM exits 0.
   */
  static final class Guard {
    private final String service;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private Guard(String service) {
      this.service = service;
    }

    /** Closes {@code resource} on stop: register a connection before the service that uses it. */
    synchronized <T extends AutoCloseable> T closeOnStop(T resource) {
      resources.push(resource);
      return resource;
    }

    /** Blocks until a signal has stopped everything. */
    void awaitStop() throws InterruptedException {
      closed.await();
    }

    private void stop() {
      log.info("{}: stopping on signal", service);
      try {
        AutoCloseable next;
        while ((next = next()) != null) {
          try {
            next.close();
          } catch (Exception e) {
            log.warn("{}: closing {} failed: {}", service, next, e.toString());
          }
        }
      } finally {
        closed.countDown();
      }
      exitCleanly(service);
    }

    private synchronized AutoCloseable next() {
      return resources.poll();
    }
  }

  /** Installs the stop of {@code service}; call it first thing. */
  static Guard install(String service) {
    Guard guard = new Guard(service);
    Runtime.getRuntime().addShutdownHook(new Thread(guard::stop, service + "-shutdown"));
    return guard;
  }

  /**
   * For a service whose work runs on the main thread: on a signal, runs {@code stop} and waits until
   * the main thread has called {@code finished.countDown()}, at most {@link #GRACE}.
   */
  static void onSignal(String service, Runnable stop, CountDownLatch finished) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (finished.getCount() == 0) {
                    return; // the work ended by itself; this is the normal exit
                  }
                  log.info("{}: stopping on signal", service);
                  stop.run();
                  try {
                    if (!finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                      log.warn("{}: did not stop within {}; exiting anyway", service, GRACE);
                      return;
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                  exitCleanly(service);
                },
                service + "-shutdown"));
  }
}
