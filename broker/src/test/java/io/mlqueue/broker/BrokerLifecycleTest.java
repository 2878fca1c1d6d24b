package io.mlqueue.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class BrokerLifecycleTest {
  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(BrokerLifecycleTest.class);

  @Test
  void startsOnAnEphemeralPortAndServesTheRabbitMqClient() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      LOG.info("Broker started in {} ms", broker.startTime().toMillis());
      assertThat(broker.port()).isPositive();
      assertThat(broker.amqpUri())
          .isEqualTo("amqp://guest:guest@127.0.0.1:" + broker.port() + "/%2F");
      try (Connection connection = Clients.connect(broker.amqpUri())) {
        assertThat(connection.isOpen()).isTrue();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/%2F", "/default"})
  void servesTheDefaultVirtualHostUnderEachOfItsNames(String path) throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Connection connection =
            Clients.connect("amqp://guest:guest@127.0.0.1:" + broker.port() + path)) {
      Channel channel = connection.createChannel();
      channel.queueDeclare("visible-everywhere", false, false, false, null);
      assertThat(channel.queueDeclarePassive("visible-everywhere").getQueue())
          .isEqualTo("visible-everywhere");
    }
  }

  @Test
  void routineStartAndCloseWriteNothingToStandardOutAndNoQpidWarnings() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    root.addAppender(events);
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    try {
      EmbeddedBroker.start().close();
    } finally {
      System.setOut(original);
      root.detachAppender(events);
    }
    // Qpid's own console logger prints operational messages such as "BRK-1004 : Qpid Broker Ready".
    assertThat(stdout.toString(StandardCharsets.UTF_8)).doesNotContain("BRK-");
    assertThat(events.list)
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .filteredOn(
            e ->
                e.getLoggerName().startsWith("org.apache.qpid")
                    || e.getLoggerName().startsWith("qpid"))
        .isEmpty();
  }

  @Test
  void runsTwoIndependentBrokersAtOnce() throws Exception {
    CompletableFuture<EmbeddedBroker> first = CompletableFuture.supplyAsync(EmbeddedBroker::start);
    CompletableFuture<EmbeddedBroker> second = CompletableFuture.supplyAsync(EmbeddedBroker::start);
    try (EmbeddedBroker a = first.join();
        EmbeddedBroker b = second.join();
        Connection toA = Clients.connect(a.amqpUri());
        Connection toB = Clients.connect(b.amqpUri())) {
      assertThat(a.port()).isNotEqualTo(b.port());
      toA.createChannel().queueDeclare("only-on-a", false, false, false, null);
      Channel onB = toB.createChannel();
      assertThatThrownBy(() -> onB.queueDeclarePassive("only-on-a"))
          .isInstanceOf(IOException.class)
          .cause()
          .hasMessageContaining("reply-code=404");
    }
  }

  @Test
  void closeFreesItsFixedPortForTheNextBroker() throws Exception {
    int port = freePort();
    EmbeddedBroker.Options options = EmbeddedBroker.Options.defaults().withPort(port);
    try (EmbeddedBroker first = EmbeddedBroker.start(options)) {
      assertThat(first.port()).isEqualTo(port);
    }
    try (EmbeddedBroker second = EmbeddedBroker.start(options);
        Connection connection = Clients.connect(second.amqpUri())) {
      assertThat(connection.isOpen()).isTrue();
    }
  }

  @Test
  void failsWithAPlainMessageNamingAPortThatIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(
              () -> EmbeddedBroker.start(EmbeddedBroker.Options.defaults().withPort(port)))
          .isInstanceOf(BrokerStartException.class)
          .hasMessageContaining("127.0.0.1 port " + port)
          .hasMessageContaining("already in use");
    }
  }

  @Test
  void deletesItsTempWorkDirOnCloseAndClosesTwiceQuietly() {
    EmbeddedBroker broker = EmbeddedBroker.start();
    Path workDir = broker.workDir();
    assertThat(workDir).isDirectory();
    broker.close();
    broker.close();
    assertThat(workDir).doesNotExist();
  }

  @Test
  void keepsAWorkDirItWasGiven(@TempDir Path dir) {
    EmbeddedBroker.start(EmbeddedBroker.Options.defaults().withWorkDir(dir)).close();
    assertThat(dir).isDirectory();
  }

  @Test
  void acceptsOnlyTheConfiguredUser() throws Exception {
    EmbeddedBroker.Options options =
        EmbeddedBroker.Options.defaults().withCredentials("mlqueue", "pa ss:w@rd/");
    try (EmbeddedBroker broker = EmbeddedBroker.start(options)) {
      assertThat(broker.amqpUri()).startsWith("amqp://mlqueue:pa%20ss%3Aw%40rd%2F@");
      try (Connection connection = Clients.connect(broker.amqpUri())) {
        assertThat(connection.isOpen()).isTrue();
      }
      String guest = "amqp://guest:guest@127.0.0.1:" + broker.port();
      // Qpid refuses with 530 after the login, which the client reports as only "possibly" auth.
      assertThatThrownBy(() -> Clients.connect(guest))
          .isInstanceOf(PossibleAuthenticationFailureException.class)
          .cause()
          .hasMessageContaining("reply-code=530");
    }
  }

  @Test
  void validatesItsOptionsAndKeepsThePasswordOutOfToString() {
    EmbeddedBroker.Options defaults = EmbeddedBroker.Options.defaults();
    assertThatThrownBy(() -> defaults.withPort(70_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("70000");
    assertThatThrownBy(() -> defaults.withCredentials(" ", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("username");
    assertThat(defaults.withCredentials("u", "secret").toString()).doesNotContain("secret");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
