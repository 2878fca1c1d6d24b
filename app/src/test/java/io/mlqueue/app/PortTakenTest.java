package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A port that cannot be bound stops a service at start-up with one line naming the option and the
 * port, and nothing else in the log: no stack trace, no service running on without its probes.
 */
class PortTakenTest {
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void captureTheLog() {
    log.start();
    root.addAppender(log);
  }

  @AfterEach
  void stopCapturing() {
    root.detachAppender(log);
  }

  @Test
  void plotWithItsMetricsPortTakenStopsWithOneLineNamingTheOption(@TempDir Path dir)
      throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      CommandRun run =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () ->
                  CommandRun.of(
                      "plot",
                      "--log-dir",
                      dir.toString(),
                      "--metrics-host",
                      "127.0.0.1",
                      "--metrics-port",
                      Integer.toString(port)));

      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.err())
          .isEqualTo(
              "mlqueue plot: --metrics-port "
                  + port
                  + ": cannot listen on 127.0.0.1:"
                  + port
                  + ": Address already in use"
                  + System.lineSeparator());
      assertThat(log.list)
          .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .extracting(ILoggingEvent::getFormattedMessage)
          .isEmpty();
    }
  }
}
