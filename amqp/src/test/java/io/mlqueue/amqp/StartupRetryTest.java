package io.mlqueue.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A start-up step tried again after a lost connection, and only then. */
class StartupRetryTest {

  @Test
  void aStepThatLostTheConnectionIsTriedAgainOnceItIsBack() throws Exception {
    AtomicInteger tries = new AtomicInteger();
    AtomicInteger openChecks = new AtomicInteger();
    // Down for the first two checks, as while a node restarts.
    StartupRetry retry =
        new StartupRetry("model", Duration.ofSeconds(10), () -> openChecks.incrementAndGet() > 2);
    String result =
        retry.run(
            "declaring its queues",
            () -> {
              if (tries.incrementAndGet() < 3) {
                throw new IOException(new SocketException("Connection reset"));
              }
              return "declared";
            });
    assertThat(result).isEqualTo("declared");
    assertThat(tries).hasValue(3);
    assertThat(openChecks.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aRefusalByTheBrokerFailsAtOnce() {
    AtomicInteger tries = new AtomicInteger();
    StartupRetry retry = new StartupRetry("metric", Duration.ofSeconds(10), () -> true);
    ShutdownSignalException refused =
        new ShutdownSignalException(
            false, false, null, "channel"); // a channel error, not a hard one
    assertThatThrownBy(
            () ->
                retry.run(
                    "declaring its queues",
                    () -> {
                      tries.incrementAndGet();
                      throw new IOException(refused);
                    }))
        .hasCause(refused);
    assertThat(tries).hasValue(1);
  }

  @Test
  void itGivesUpOnceTheTimeoutHasPassed() {
    AtomicInteger tries = new AtomicInteger();
    StartupRetry retry = new StartupRetry("features", Duration.ofMillis(300), () -> false);
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                retry.run(
                    "opening a channel",
                    () -> {
                      tries.incrementAndGet();
                      throw new IOException(new SocketException("Connection reset"));
                    }))
        .isInstanceOf(IOException.class)
        .hasRootCauseInstanceOf(SocketException.class);
    assertThat(tries.get()).isBetween(1, 3);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }
}
