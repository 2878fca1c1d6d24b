package io.mlqueue.app;

import java.time.Duration;
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
   * For a service the main thread merely keeps alive: blocks until a signal arrives, runs {@code
   * close} in the shutdown hook, and lets the JVM exit once it has returned.
   */
  private static void awaitSignalThen(String service, Runnable close) throws InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("{}: stopping on signal", service);
                  try {
                    close.run();
                  } finally {
                    closed.countDown();
                  }
                  exitCleanly(service);
                },
                service + "-shutdown"));
    closed.await();
  }

  /**
   * {@link #awaitSignalThen} for a service that only needs closing: closes {@code resources} in order
   * (the service first, then its connection).
   */
  static void awaitSignalThenClose(String service, AutoCloseable... resources)
      throws InterruptedException {
    awaitSignalThen(
        service,
        () -> {
          for (AutoCloseable resource : resources) {
            try {
              resource.close();
            } catch (Exception e) {
              log.warn("{}: closing {} failed: {}", service, resource, e.toString());
            }
          }
        });
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
