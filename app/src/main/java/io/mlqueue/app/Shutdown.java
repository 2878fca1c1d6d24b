package io.mlqueue.app;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and Ctrl-C: the service drains, then the process exits 0 the ordinary way, through {@link
 * System#exit}, so that every shutdown hook (logging's flush among them) runs to its end. A service
 * that drained on request has done nothing wrong, so supervisors see 0 rather than the 143 of a
 * death by signal.
 *
 * <p>That takes catching the signals: left to the JVM, a signal starts the shutdown at once with
 * exit code 128 + its number, and only {@link Runtime#halt} from a hook could change the code,
 * cutting the other hooks short. Any other way out (a failure at start-up, SIGHUP) still closes
 * what the service opened, from a shutdown hook, and keeps its own exit code.
 */
final class Shutdown {
  private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

  /** How long a stop may take before the JVM exits anyway. */
  static final Duration GRACE = Duration.ofSeconds(30);

  /** Set by the first SIGTERM or Ctrl-C. */
  private static final AtomicBoolean stoppingOnSignal = new AtomicBoolean();

  private Shutdown() {}

  /**
   * Whether a signal is stopping the service. A command that fails meanwhile failed because of the
   * stop (a connection closed under a service still starting), which is no failure to report.
   */
  static boolean stoppingOnSignal() {
    return stoppingOnSignal.get();
  }

  /**
   * The stop of a service the main thread merely keeps alive. Installed before anything is started,
   * so a SIGTERM during start-up (waiting for the broker, say) stops cleanly too: whatever has been
   * {@linkplain #closeOnStop registered} so far is closed, newest first.
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

    /** Blocks until everything registered has been closed. */
    void awaitStop() throws InterruptedException {
      closed.await();
    }

    /**
     * On SIGTERM or Ctrl-C: close everything, then exit 0 from here. Not by returning from {@link
     * #awaitStop}: the main thread may still be starting the service (waiting minutes for the
     * broker, say), and the stop must not wait for that.
     */
    private void stopOnSignal(String signal) {
      log.info("{}: stopping on signal ({})", service, signal);
      closeAll();
      log.info("{}: stopped", service);
      System.exit(0);
    }

    /**
     * Closes what is open, newest first. Whole under the lock: the shutdown hook, run by the exit
     * that follows a signal's stop (or by the main thread's own exit meanwhile), waits for that
     * stop to finish rather than closing beside it, then closes whatever was registered since.
     */
    private synchronized void closeAll() {
      try {
        AutoCloseable next;
        while ((next = resources.poll()) != null) {
          try {
            next.close();
          } catch (Exception e) {
            log.warn("{}: closing {} failed", service, next, e);
          }
        }
      } finally {
        closed.countDown();
      }
    }
  }

  /** Installs the stop of {@code service}; call it first thing. */
  static Guard install(String service) {
    Guard guard = new Guard(service);
    onTermination(service, guard::stopOnSignal);
    Runtime.getRuntime().addShutdownHook(new Thread(guard::closeAll, service + "-shutdown"));
    return guard;
  }

  /**
   * For a service whose work runs on the main thread: on a signal, runs {@code stop}; the main
   * thread then finishes its work, calls {@code finished.countDown()} and returns. If it has not
   * within {@link #GRACE}, the process exits anyway. On any other way out, {@code stop} runs from a
   * shutdown hook, which waits as long for {@code finished}.
   */
  static void onSignal(String service, Runnable stop, CountDownLatch finished) {
    onTermination(
        service,
        signal -> {
          log.info("{}: stopping on signal ({})", service, signal);
          stop.run();
          if (!await(finished)) {
            log.warn("{}: did not stop within {}; exiting anyway", service, GRACE);
            System.exit(1);
          }
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (finished.getCount() == 0 || stoppingOnSignal()) {
                    return; // the work ended by itself, or a signal is stopping it already
                  }
                  log.info("{}: stopping", service);
                  stop.run();
                  if (!await(finished)) {
                    log.warn("{}: did not stop within {}; exiting anyway", service, GRACE);
                  }
                },
                service + "-shutdown"));
  }

  private static boolean await(CountDownLatch finished) {
    try {
      return finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Calls {@code stop} with the signal's name on the first SIGTERM or SIGINT instead of letting the
   * JVM start its shutdown; a second one ends the process at once. {@code sun.misc.Signal} is the
   * JDK's supported way to do so (module jdk.unsupported, kept for exactly this use); on a JVM that
   * does not let us (run with {@code -Xrs}, say) a signal stops the service through the shutdown
   * hook, with exit code 128 + n.
   */
  private static void onTermination(String service, Consumer<String> stop) {
    for (String name : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(
            new sun.misc.Signal(name),
            signal -> {
              if (stoppingOnSignal.compareAndSet(false, true)) {
                stop.accept("SIG" + name);
              } else {
                // The user insists: the drain is given up, and hooks with it.
                log.warn("{}: SIG{} again while stopping; exiting without waiting", service, name);
                Runtime.getRuntime().halt(130);
              }
            });
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        log.debug(
            "{}: SIG{} cannot be caught ({}); the shutdown hook stops the service",
            service,
            name,
            e.getMessage());
      }
    }
  }
}
