package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A demo that cannot start all its parts stops with one line and leaves nothing running. */
class DemoFailureTest {
  @TempDir Path logDir;

  @Test
  void aTakenDashboardPortStopsTheDemoAndClosesWhatItHadStarted() throws Exception {
    List<String> threadsBefore = demoThreads();
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      DemoCommand demo = new DemoCommand();
      CommandRun run =
          assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () ->
                  CommandRun.of(
                      demo,
                      "--gateway-port",
                      "0",
                      "--dashboard-port",
                      Integer.toString(port),
                      "--log-dir",
                      logDir.toString()));

      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.err())
          .isEqualTo(
              "mlqueue demo: --dashboard-port "
                  + port
                  + ": cannot listen on 127.0.0.1:"
                  + port
                  + ": Address already in use"
                  + System.lineSeparator());
      // The gateway had started before the dashboard failed: it must not listen on.
      assertThat(demo.gatewayUrl).isNotNull();
      URI gateway = URI.create(demo.gatewayUrl);
      try (Socket s = new Socket(gateway.getHost(), gateway.getPort())) {
        throw new AssertionError("the gateway still listens at " + gateway);
      } catch (ConnectException expected) {
        // closed
      }
    }
    // Nor do the model worker's batcher or the gateway's threads run on.
    await().atMost(Duration.ofSeconds(10)).until(() -> demoThreads().equals(threadsBefore));
  }

  private static List<String> demoThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.equals("model-batcher") || n.startsWith("gateway-") || n.startsWith("demo-"))
        .sorted()
        .toList();
  }
}
