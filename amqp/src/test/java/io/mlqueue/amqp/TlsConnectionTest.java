package io.mlqueue.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import io.mlqueue.broker.EmbeddedBroker;
import io.mlqueue.broker.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * amqps:// against the embedded broker's TLS port, with a CA made for the test: the broker's
 * certificate must be signed by a trusted CA and name the host, and every failure says so in one
 * line without the password.
 */
class TlsConnectionTest {
  private static final String PASSWORD = "s3cret-pw";

  /** Long enough that a test which fails fast did not merely run out of retries. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  private static TestCertificates ca;
  private static EmbeddedBroker broker;

  @BeforeAll
  static void start() {
    ca = TestCertificates.create(dir);
    broker = startBroker(ca.issue("broker", "127.0.0.1", "localhost"));
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void publishesWithConfirmsAndConsumesOverTlsTrustingTheCaFile() throws Exception {
    AmqpSettings settings = settings(broker).withCaFile(ca.caFile());
    try (Connection connection = BrokerConnector.connect(settings, "tls-test")) {
      List<String> received = new CopyOnWriteArrayList<>();
      QueueConsumer consumer =
          QueueConsumer.open(connection, "tls-test", settings)
              .declare("tls.in")
              .consume(
                  "tls.in",
                  m -> {
                    received.add(new String(m.body(), UTF_8));
                    m.ack();
                  });
      CountDownLatch confirmed = new CountDownLatch(1);
      List<String> failures = new CopyOnWriteArrayList<>();
      consumer
          .publisher()
          .publish(
              "tls.in",
              Messages.PERSISTENT_JSON,
              "{\"over\":\"tls\"}".getBytes(UTF_8),
              new Outcome() {
                @Override
                public void confirmed() {
                  confirmed.countDown();
                }

                @Override
                public void failed(String reason) {
                  failures.add(reason);
                }
              });
      assertThat(confirmed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(failures).isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
      assertThat(received).containsExactly("{\"over\":\"tls\"}");
      consumer.close();
    }
  }

  @Test
  void withoutTheCaFileTheDefaultTrustStoreRefusesThePrivateCaAtOnce() {
    assertRefusedQuickly(settings(broker), "pass a private CA with --amqp-ca-file");
  }

  @Test
  void aCaFileOfAnotherCaIsRefusedToo() throws Exception {
    Path otherDir = Files.createDirectories(dir.resolve("other"));
    Path otherCa = TestCertificates.create(otherDir).caFile();
    assertRefusedQuickly(
        settings(broker).withCaFile(otherCa), "trusts only the CA in --amqp-ca-file " + otherCa);
  }

  @Test
  void aCertificateThatNamesAnotherHostIsRefusedThoughItsCaIsTrusted() {
    // Signed by the trusted CA, but for another name than the 127.0.0.1 of the URI.
    try (EmbeddedBroker elsewhere = startBroker(ca.issue("elsewhere", "broker.invalid"))) {
      String message =
          assertRefusedQuickly(
              settings(elsewhere).withCaFile(ca.caFile()), "must also name the host of the URI");
      assertThat(message).contains("127.0.0.1");
    }
  }

  @Test
  void aCaFileThatIsMissingOrHoldsNoCertificateIsNamed() throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> BrokerConnector.connect(settings(broker).withCaFile(missing), "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--amqp-ca-file " + missing + " does not exist");

    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
    Path key = ca.issue("key-only", "127.0.0.1").privateKey();
    for (Path bad : List.of(garbage, key)) {
      assertThatThrownBy(() -> BrokerConnector.connect(settings(broker).withCaFile(bad), "t"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("--amqp-ca-file " + bad + " holds no X.509 certificate")
          .hasMessageNotContaining("\n")
          .hasMessageNotContaining(PASSWORD);
    }
  }

  /** Connecting fails at the first attempt, naming the redacted URI and what to do. */
  private static String assertRefusedQuickly(AmqpSettings settings, String hint) {
    long begin = System.nanoTime();
    Throwable thrown = null;
    try (Connection unexpected = BrokerConnector.connect(settings, "tls-test")) {
      // reaching here fails the assertion below
    } catch (Throwable t) {
      thrown = t;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - begin);
    assertThat(thrown)
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageStartingWith(
            "tls-test: refused the certificate of the broker at amqps://mlqueue:****@")
        .hasMessageContaining(hint)
        .hasMessageNotContaining(PASSWORD)
        .hasMessageNotContaining("\n");
    assertThat(took).isLessThan(CONNECT_TIMEOUT.dividedBy(3));
    return thrown.getMessage();
  }

  private static AmqpSettings settings(EmbeddedBroker on) {
    return AmqpSettings.of(on.amqpsUri()).withConnectTimeout(CONNECT_TIMEOUT);
  }

  private static EmbeddedBroker startBroker(TestCertificates.Server server) {
    return EmbeddedBroker.start(
        EmbeddedBroker.Options.defaults()
            .withCredentials("mlqueue", PASSWORD)
            .withTls(new EmbeddedBroker.Tls(0, server.certificate(), server.privateKey())));
  }
}
