package io.mlqueue.app;

import io.mlqueue.broker.EmbeddedBroker;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mlqueue broker}: the embedded AMQP broker alone, for local development. */
@Command(
    name = "broker",
    description =
        "Run the embedded AMQP 0-9-1 broker (Apache Qpid Broker-J, in memory) on 127.0.0.1 until"
            + " stopped.")
final class BrokerCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "5672", description = "Port (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    Shutdown.Guard guard = Shutdown.install("broker");
    EmbeddedBroker broker =
        guard.closeOnStop(EmbeddedBroker.start(EmbeddedBroker.Options.defaults().withPort(port)));
    System.out.println("mlqueue broker: listening on " + broker.amqpUri()
        + " (in memory: messages do not survive a restart). Ctrl-C stops it.");
    guard.awaitStop();
    return 0;
  }
}
