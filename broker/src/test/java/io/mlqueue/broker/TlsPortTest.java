package io.mlqueue.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.broker.testing.TestCertificates;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker's AMQPS port, seen by the plain RabbitMQ client. */
class TlsPortTest {
  @TempDir Path dir;

  @Test
  void servesAmqpOverTlsWithTheGivenCertificateBesideThePlainPort() throws Exception {
    TestCertificates ca = TestCertificates.create(dir);
    TestCertificates.Server server = ca.issue("broker", "127.0.0.1", "localhost");
    EmbeddedBroker.Options options =
        EmbeddedBroker.Options.defaults()
            .withTls(new EmbeddedBroker.Tls(0, server.certificate(), server.privateKey()));
    try (EmbeddedBroker broker = EmbeddedBroker.start(options)) {
      int tlsPort = broker.tlsPort().orElseThrow();
      assertThat(tlsPort).isPositive().isNotEqualTo(broker.port());
      assertThat(broker.amqpsUri()).isEqualTo("amqps://guest:guest@127.0.0.1:" + tlsPort + "/%2F");

      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(broker.amqpsUri());
      factory.useSslProtocol(trusting(ca.caFile()));
      factory.enableHostnameVerification();
      try (Connection connection = factory.newConnection("tls-test")) {
        Channel channel = connection.createChannel();
        channel.queueDeclare("over-tls", false, false, false, null);
        channel.basicPublish("", "over-tls", null, "hello".getBytes(StandardCharsets.UTF_8));
        GetResponse got = null;
        for (int i = 0; i < 50 && got == null; i++) {
          got = channel.basicGet("over-tls", true);
          if (got == null) {
            Thread.sleep(20);
          }
        }
        assertThat(got).isNotNull();
        assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
      }
      // The plain port still serves plain AMQP.
      try (Connection plain = Clients.connect(broker.amqpUri())) {
        assertThat(plain.isOpen()).isTrue();
      }
    }
  }

  @Test
  void withoutTlsThereIsNoAmqpsUri() {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      assertThat(broker.tlsPort()).isEmpty();
      assertThatThrownBy(broker::amqpsUri).hasMessageContaining("without TLS");
    }
  }

  @Test
  void aMissingCertificateFileIsNamedBeforeQpidStarts() {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> new EmbeddedBroker.Tls(0, missing, missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("broker TLS certificate file " + missing + " does not exist");
  }

  @Test
  void filesThatAreNotACertificateAndAKeyAreNamedBeforeQpidStarts() throws Exception {
    TestCertificates ca = TestCertificates.create(dir);
    TestCertificates.Server server = ca.issue("broker", "127.0.0.1");
    Path notPem = Files.writeString(dir.resolve("not-pem.txt"), "not a key\n");
    assertThatThrownBy(() -> new EmbeddedBroker.Tls(0, server.certificate(), notPem))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "broker TLS file " + notPem + " is not an unencrypted PEM RSA private key")
        .hasMessageNotContaining("\n");
    // The two swapped: a key is no certificate.
    assertThatThrownBy(() -> new EmbeddedBroker.Tls(0, server.privateKey(), server.certificate()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "broker TLS file " + server.privateKey() + " is not a PEM certificate");
  }

  private static SSLContext trusting(Path caFile) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      store.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
