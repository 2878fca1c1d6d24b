package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.broker.EmbeddedBroker;
import io.mlqueue.broker.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --amqp-ca-file (or MLQUEUE_AMQP_CA_FILE) reaches the connection of every AMQP command. */
class TlsOptionsTest {
  private static final String PASSWORD = "s3cret-pw";

  @TempDir static Path dir;
  private static TestCertificates ca;
  private static EmbeddedBroker broker;

  @BeforeAll
  static void start() {
    ca = TestCertificates.create(dir);
    TestCertificates.Server server = ca.issue("broker", "127.0.0.1");
    broker =
        EmbeddedBroker.start(
            EmbeddedBroker.Options.defaults()
                .withCredentials("mlqueue", PASSWORD)
                .withTls(new EmbeddedBroker.Tls(0, server.certificate(), server.privateKey())));
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void deadLettersConnectsOverTlsTrustingTheCaFileFromTheEnvironment() {
    Run run =
        run(
            Map.of("MLQUEUE_AMQP_CA_FILE", ca.caFile().toString()),
            "dead-letters",
            "list",
            "--queue",
            "features",
            "--amqp-uri",
            broker.amqpsUri());
    assertThat(run.exit).as(run.err).isZero();
    assertThat(run.out).contains("features.dlq: 0 dead letters");
  }

  @Test
  void withoutTheCaFileTheServiceRefusesTheBrokerInOneLineWithoutThePassword() {
    Run run =
        run(
            Map.of(),
            "dead-letters",
            "list",
            "--connect-timeout",
            "30s",
            "--amqp-uri",
            broker.amqpsUri());
    assertThat(run.exit).as("exit code: no usable broker").isEqualTo(3);
    assertThat(run.err)
        .startsWith(
            "mlqueue list: dead-letters: refused the certificate of the broker at"
                + " amqps://mlqueue:****@127.0.0.1:")
        .contains("--amqp-ca-file")
        .doesNotContain(PASSWORD);
    assertThat(run.err.strip().lines()).hasSize(1);
  }

  @Test
  void aCaFileForAPlainUriAndHalfTheBrokerTlsOptionsAreRefused() {
    Run plain =
        run(
            Map.of(),
            "dead-letters",
            "list",
            "--amqp-ca-file",
            ca.caFile().toString(),
            "--amqp-uri",
            broker.amqpUri());
    assertThat(plain.exit).isEqualTo(1);
    assertThat(plain.err).contains("--amqp-ca-file is for amqps:// URIs").doesNotContain(PASSWORD);

    Run half = run(Map.of(), "broker", "--tls-port", "0");
    assertThat(half.exit).isEqualTo(1);
    assertThat(half.err).contains("--tls-port, --tls-cert and --tls-key go together");
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(Map<String, String> environment, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    PrintStream oldOut = System.out;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      CommandLine cli = Main.commandLine(new EnvironmentDefaults(environment));
      cli.setErr(new PrintWriter(err, true));
      int exit = cli.execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(oldOut);
    }
  }
}
