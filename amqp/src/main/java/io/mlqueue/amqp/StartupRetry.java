package io.mlqueue.amqp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A start-up step (open a channel, declare, start a consumer) tried again when the connection went
 * down under it, once automatic recovery has reopened the connection. Between connecting and
 * consuming, a service is exposed to a node being stopped or killed (a cluster's rolling restart, a
 * failover): the step then fails with the connection's shutdown, not with a refusal, and the
 * service should carry on as it would a minute later, when recovery alone would have handled it.
 * Every step here is safe to repeat: a declare is idempotent, and a channel or consumer that the
 * failed call did not create is not recorded for recovery either. A refusal by the broker (no
 * permission, a queue of another type) fails at once.
 */
public final class StartupRetry {
  private static final Logger log = LoggerFactory.getLogger(StartupRetry.class);
  private static final long PAUSE_MILLIS = 100;

  /** One step. */
  @FunctionalInterface
  public interface Step<T> {
    T run() throws IOException;
  }

  private final String service;
  private final Duration timeout;
  private final BooleanSupplier connectionOpen;

  /**
   * @param service names the service in the log
   * @param timeout how long after the first failure a step is tried again (the settings' connect
   *     timeout: how long a service waits for a broker at start-up anyway)
   * @param connectionOpen whether the connection is up again
   */
  public StartupRetry(String service, Duration timeout, BooleanSupplier connectionOpen) {
    this.service = service;
    this.timeout = timeout;
    this.connectionOpen = connectionOpen;
  }

  /** Runs {@code step}, again after each loss of the connection, until it succeeds or times out. */
  public <T> T run(String what, Step<T> step) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return step.run();
      } catch (IOException | RuntimeException e) {
        if (!Failures.connectionLost(e) || System.nanoTime() - deadline > 0) {
          throw e;
        }
        log.warn(
            "{}: the broker connection went down while {} ({}); trying again once it has"
                + " recovered",
            service,
            what,
            Failures.describe(e));
        awaitRecovery(deadline);
      }
    }
  }

  private void awaitRecovery(long deadline) throws InterruptedIOException {
    try {
      while (!connectionOpen.getAsBoolean() && System.nanoTime() - deadline < 0) {
        Thread.sleep(PAUSE_MILLIS);
      }
      // Recovery reopens the connection first, then its channels and consumers.
      Thread.sleep(PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the connection to recover");
    }
  }
}
