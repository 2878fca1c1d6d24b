package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.broker.EmbeddedBroker;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A service started before its broker waits for it, says so in its log, and starts working once the
 * broker is there — instead of crash-looping as the course's services do under docker-compose. The
 * broker here is the embedded one, started by the test on the port the service was told about.
 */
class BrokerDownAtStartIT {
  @RegisterExtension
  @Order(1)
  final ServiceProcesses services = new ServiceProcesses();

  @Test
  void aServiceStartedBeforeTheBrokerWaitsAndThenWorks() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort(); // free now; nothing listens on it until the broker starts
    }
    String uri = "amqp://guest:s3cret-not-logged@127.0.0.1:" + port + "/%2F";
    ServiceProcess model = services.mlqueue("model", uri, "model");
    model.awaitLog("not reachable", Duration.ofSeconds(30));
    model.awaitLog("retrying in", Duration.ofSeconds(30));
    assertThat(model.isAlive()).as("the service waits rather than exits").isTrue();

    try (EmbeddedBroker broker =
        EmbeddedBroker.start(
            EmbeddedBroker.Options.defaults()
                .withPort(port)
                .withCredentials("guest", "s3cret-not-logged"))) {
      model.awaitLog("model: consuming features", Duration.ofSeconds(60));
      assertThat(model.output()).doesNotContain("s3cret-not-logged").contains("guest:****@");
      model.stopCleanly();
    }
  }
}
