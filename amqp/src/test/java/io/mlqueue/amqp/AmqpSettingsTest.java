package io.mlqueue.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class AmqpSettingsTest {
  @Test
  void passwordsNeverShowInWhatIsLogged() {
    AmqpSettings s = AmqpSettings.of("amqp://user:s3cret@broker:5672/%2F");
    assertThat(s.redactedUri()).isEqualTo("amqp://user:****@broker:5672/%2F");
    assertThat(s.toString()).doesNotContain("s3cret");
    assertThat(AmqpSettings.redact("amqps://u:p@ss@h/v")).isEqualTo("amqps://u:****@h/v");
    assertThat(AmqpSettings.redact("amqp://localhost:5672")).isEqualTo("amqp://localhost:5672");
    assertThat(AmqpSettings.redact("amqp://user@host")).isEqualTo("amqp://user@host");
  }

  @Test
  void refusesWhatCannotWorkNamingTheSetting() {
    assertThatThrownBy(() -> AmqpSettings.of("http://user:s3cret@host"))
        .hasMessageContaining("--amqp-uri must start with amqp:// or amqps://")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> AmqpSettings.of("amqp://localhost").withPrefetch(0))
        .hasMessageContaining("--prefetch must be 1 to 65535");
  }

  @Test
  void compatModeNames() {
    assertThat(TopologyMode.fromCompat("course")).isEqualTo(TopologyMode.COURSE);
    assertThat(TopologyMode.fromCompat("none")).isEqualTo(TopologyMode.DURABLE);
    assertThatThrownBy(() -> TopologyMode.fromCompat("python"))
        .hasMessageContaining("unknown --compat value 'python'");
  }

  @Test
  void severalUrisNameTheNodesOfACluster() {
    AmqpSettings s =
        AmqpSettings.of(
            "amqp://u:s3cret@n1:5681/v, amqp://u:s3cret@n2:5682/v,amqp://u:s3cret@n3/v");
    assertThat(s.uris()).hasSize(3);
    assertThat(s.redactedUri()).doesNotContain("s3cret").contains("n1:5681").contains("n3/v");
    assertThat(BrokerConnector.addresses(s))
        .extracting(a -> a.getHost() + ":" + a.getPort())
        .containsExactly("n1:5681", "n2:5682", "n3:5672");
    assertThat(s.tls()).isFalse();
    assertThatThrownBy(() -> AmqpSettings.of("amqp://n1, http://n2"))
        .hasMessageContaining("must start with amqp://");
  }

  @Test
  void amqpsUrisAreTlsOnEveryNodeWithTheirOwnDefaultPort() {
    AmqpSettings s = AmqpSettings.of("amqps://u:s3cret@n1:5681/v,amqps://u:s3cret@n2/v");
    assertThat(s.tls()).isTrue();
    assertThat(BrokerConnector.addresses(s))
        .extracting(a -> a.getHost() + ":" + a.getPort())
        .containsExactly("n1:5681", "n2:5671");
    assertThat(s.redactedUri()).isEqualTo("amqps://u:****@n1:5681/v,amqps://u:****@n2/v");
    assertThat(s.withCaFile(Path.of("ca.pem")).toString())
        .contains("caFile=ca.pem")
        .doesNotContain("s3cret");
  }

  @Test
  void oneListCannotMixPlainAndTlsNodes() {
    assertThatThrownBy(() -> AmqpSettings.of("amqp://u:s3cret@n1/v,amqps://u:s3cret@n2/v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--amqp-uri mixes amqp:// and amqps:// nodes; give every node the same scheme");
  }

  @Test
  void aCaFileWithAPlainUriIsAMistakeNotSilentlyIgnored() {
    assertThatThrownBy(() -> AmqpSettings.of("amqp://u:s3cret@n1/v").withCaFile(Path.of("ca.pem")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--amqp-ca-file is for amqps:// URIs")
        .hasMessageContaining("amqp://u:****@n1/v")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void tlsFactoriesVerifyTheHostName() throws Exception {
    ConnectionFactory plain = BrokerConnector.factory(AmqpSettings.of("amqp://h"));
    assertThat(plain.isSSL()).isFalse();
    ConnectionFactory tls = BrokerConnector.factory(AmqpSettings.of("amqps://h"));
    assertThat(tls.isSSL()).isTrue();
    // The blocking-I/O socket configurator switches on endpoint identification ("HTTPS").
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
      tls.getSocketConfigurator().configure(socket);
      assertThat(socket.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
    }
  }

  @Test
  void quorumQueuesAreForTheDurableTopologyOnly() {
    assertThat(QueueType.parse("quorum")).isEqualTo(QueueType.QUORUM);
    assertThat(Topology.arguments(AmqpSettings.of("amqp://h").withQueueType(QueueType.QUORUM)))
        .containsEntry("x-queue-type", "quorum");
    assertThat(Topology.arguments(AmqpSettings.of("amqp://h"))).isEmpty();
    assertThatThrownBy(
            () ->
                AmqpSettings.of("amqp://h")
                    .withQueueType(QueueType.QUORUM)
                    .withMode(TopologyMode.COURSE))
        .hasMessageContaining("--queue-type quorum needs durable queues");
    assertThatThrownBy(() -> QueueType.parse("stream"))
        .hasMessageContaining("unknown --queue-type");
  }
}
