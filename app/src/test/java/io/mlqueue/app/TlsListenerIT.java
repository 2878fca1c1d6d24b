package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.it.RabbitMqCluster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RabbitMQ's own TLS listener (nodes started for the test, {@link RabbitMqCluster#withTls()}, with
 * a certificate signed by a CA made for it): a service connects over amqps:// trusting that CA and
 * does its work; plain AMQP sent to the TLS port, and amqps:// without the CA, each end in one line
 * that names the cause and the fix. The reverse, TLS sent to the plain port, is in {@link
 * BrokerRefusalsIT}.
 */
class TlsListenerIT {
  @RegisterExtension final RabbitMqCluster rabbit = RabbitMqCluster.withTls();

  private static CommandRun features(String uri, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of("features", "--count", "3", "--connect-timeout", "20s", "--amqp-uri", uri));
    args.addAll(List.of(more));
    return CommandRun.of(args.toArray(String[]::new));
  }

  @Test
  void amqpsTrustingTheCaWorksAndEveryMistakeIsNamedInOneLine() {
    int tls = RabbitMqCluster.tlsPort(1);
    int plain = RabbitMqCluster.amqpPort(1);

    // TLS to the TLS port, the broker's certificate checked against the CA and the host name.
    CommandRun ok =
        features(
            "amqps://guest:guest@localhost:" + tls + "/%2F",
            "--amqp-ca-file",
            rabbit.caFile().toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.err()).doesNotContain("guest:guest");

    // Plain AMQP to the TLS port.
    CommandRun plainToTls = features("amqp://guest:guest@127.0.0.1:" + tls + "/%2F");
    assertThat(plainToTls.exit()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
    assertThat(plainToTls.err().strip().lines()).as(plainToTls.err()).hasSize(1);
    assertThat(plainToTls.err().strip())
        .isEqualTo(
            "mlqueue features: features: the node at 127.0.0.1:"
                + tls
                + " (amqp://guest:****@127.0.0.1:"
                + tls
                + "/%2F) answered with a TLS alert: it is a TLS port; use amqps:// for it, or"
                + " amqp:// with RabbitMQ's plain AMQP port (usually 5672)");
    System.out.println("TlsListenerIT, plain AMQP to the TLS port: " + plainToTls.err().strip());

    // TLS without trusting the CA that signed the broker's certificate.
    CommandRun untrusted = features("amqps://guest:guest@localhost:" + tls + "/%2F");
    assertThat(untrusted.exit()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
    assertThat(untrusted.err().strip().lines()).as(untrusted.err()).hasSize(1);
    assertThat(untrusted.err().strip())
        .isEqualTo(
            "mlqueue features: features: refused the certificate of the broker at"
                + " amqps://guest:****@localhost:"
                + tls
                + "/%2F: unable to find valid certification path to requested target (this"
                + " service trusts the JVM's default CAs; pass a private CA with --amqp-ca-file;"
                + " the certificate must also name the host of the URI)");
    System.out.println("TlsListenerIT, an untrusted certificate: " + untrusted.err().strip());

    // And the node's plain port still takes plain AMQP.
    CommandRun plainOk = features("amqp://guest:guest@127.0.0.1:" + plain + "/%2F");
    assertThat(plainOk.exit()).as(plainOk.err()).isZero();
  }
}
