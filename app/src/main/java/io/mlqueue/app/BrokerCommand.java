package io.mlqueue.app;

import io.mlqueue.broker.EmbeddedBroker;
import java.nio.file.Path;
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
  @Option(
      names = "--port",
      defaultValue = "5672",
      description = "Port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--tls-port",
      paramLabel = "PORT",
      description =
          "Also serve amqps:// (AMQP over TLS) on this port, e.g. 5671; needs --tls-cert and"
              + " --tls-key.")
  Integer tlsPort;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "PEM file with the broker's certificate (then any intermediate CA certificates); it"
              + " must name the host clients connect to, 127.0.0.1 or localhost.")
  Path tlsCertificate;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "PEM file with the certificate's RSA private key, unencrypted.")
  Path tlsPrivateKey;

  @Override
  public Integer call() throws Exception {
    EmbeddedBroker.Options options = EmbeddedBroker.Options.defaults().withPort(port);
    if (tlsPort != null || tlsCertificate != null || tlsPrivateKey != null) {
      if (tlsPort == null || tlsCertificate == null || tlsPrivateKey == null) {
        throw new IllegalArgumentException("--tls-port, --tls-cert and --tls-key go together");
      }
      options = options.withTls(new EmbeddedBroker.Tls(tlsPort, tlsCertificate, tlsPrivateKey));
    }
    Shutdown.Guard guard = Shutdown.install("broker");
    EmbeddedBroker broker = guard.closeOnStop(EmbeddedBroker.start(options));
    System.out.println(
        "mlqueue broker: listening on "
            + broker.amqpUri()
            + (broker.tlsPort().isPresent() ? " and " + broker.amqpsUri() : "")
            + " (in memory: messages do not survive a restart). Ctrl-C stops it.");
    guard.awaitStop();
    return 0;
  }
}
