package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.sun.net.httpserver.HttpServer;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.amqp.QueueConsumer;
import io.mlqueue.amqp.Topology;
import io.mlqueue.it.RabbitMqVhost;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * First contact with a real RabbitMQ: every refusal a user can meet, each with the exact line the
 * user reads and the exit code. Each test runs in a scratch virtual host; the users it makes are
 * deleted after it.
 */
class BrokerRefusalsIT {
  @RegisterExtension final RabbitMqVhost rabbit = new RabbitMqVhost();

  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
  private String scratchUser;

  @BeforeEach
  void captureWarnings() {
    warnings.start();
    ((Logger) LoggerFactory.getLogger(Topology.class)).addAppender(warnings);
  }

  @AfterEach
  void cleanUp() throws Exception {
    ((Logger) LoggerFactory.getLogger(Topology.class)).detachAppender(warnings);
    if (scratchUser != null) {
      RabbitMqVhost.rabbitmqctl("delete_user", scratchUser);
    }
  }

  private CommandRun features(String uri, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("features", "--count", "1", "--connect-timeout", "20s", "--amqp-uri", uri));
    args.addAll(List.of(more));
    return CommandRun.of(args.toArray(String[]::new));
  }

  private List<String> warningLines() {
    return warnings.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private long ready(String queue) throws Exception {
    try (Channel channel = rabbit.connect().createChannel()) {
      return channel.queueDeclarePassive(queue).getMessageCount();
    }
  }

  @Test
  void theDefaultModeThenTheCourseModeOnOneVhostWorkAndSayWhatDiffers() throws Exception {
    assertThat(features(rabbit.uri()).exit()).isZero();
    CommandRun course = features(rabbit.uri(), "--compat", "course");
    assertThat(course.exit()).as(course.err()).isZero();
    assertThat(ready("features")).as("both pairs are in the durable queue").isEqualTo(2);
    String v = rabbit.name();
    assertThat(warningLines())
        .contains(
            "features: queue 'features' on virtual host '"
                + v
                + "' is durable, as mlqueue's"
                + " default mode declares it: the course's Python services cannot declare it (RabbitMQ"
                + " refuses their non-durable declare): using it as it is [existing vs wanted: durable"
                + " true (wanted false)]. To have it as this mode declares it, stop every service that"
                + " uses it, run `rabbitmqctl -p "
                + v
                + " delete_queue features` (the messages in it go"
                + " with it) and start again");
  }

  @Test
  void theCourseModeThenTheDefaultModeWorkAndWarnThatTheQueueIsNotDurable() throws Exception {
    assertThat(features(rabbit.uri(), "--compat", "course").exit()).isZero();
    CommandRun durable = features(rabbit.uri());
    assertThat(durable.exit()).as(durable.err()).isZero();
    assertThat(ready("y_true")).isEqualTo(2);
    String v = rabbit.name();
    assertThat(warningLines())
        .contains(
            "features: queue 'y_true' on virtual host '"
                + v
                + "' is not durable: it and its"
                + " messages are lost when the broker restarts: using it as it is [existing vs wanted:"
                + " durable false (wanted true)]. To have it as this mode declares it, stop every"
                + " service that uses it, run `rabbitmqctl -p "
                + v
                + " delete_queue y_true` (the"
                + " messages in it go with it) and start again (it was declared by the course's"
                + " services or --compat course; while those run, keep it)");
  }

  @Test
  void aClassicQueueWhereQuorumIsWantedIsUsedWithAWarning() throws Exception {
    assertThat(features(rabbit.uri()).exit()).isZero();
    CommandRun quorum = features(rabbit.uri(), "--queue-type", "quorum");
    assertThat(quorum.exit()).as(quorum.err()).isZero();
    assertThat(warningLines())
        .anyMatch(
            l ->
                l.startsWith(
                    "features: queue 'features' on virtual host '"
                        + rabbit.name()
                        + "' is a classic queue, not the quorum queue --queue-type quorum asks for: not"
                        + " replicated, so it is lost with the node that holds it: using it as it is"));
  }

  @Test
  void aQueueThatDropsMessagesStopsTheServiceWithTheFix() throws Exception {
    try (Channel channel = rabbit.connect().createChannel()) {
      channel.queueDeclare("features", true, false, false, Map.of("x-message-ttl", 60000));
    }
    CommandRun run = features(rabbit.uri());
    String v = rabbit.name();
    assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_REFUSED);
    assertThat(run.err().strip())
        .isEqualTo(
            "mlqueue features: features: queue 'features' on virtual host '"
                + v
                + "'"
                + " cannot be used as it is: it has x-message-ttl 60000: the broker discards messages"
                + " older than 60000 ms [existing vs wanted: x-message-ttl 60000 (wanted none)]. Fix:"
                + " stop every service that uses it, run `rabbitmqctl -p "
                + v
                + " delete_queue"
                + " features` (the messages in it go with it) and start again, or use another virtual"
                + " host");
  }

  @Test
  void aQueueExclusiveToAnotherConnectionStopsTheService() throws Exception {
    Connection other = rabbit.connect();
    other.createChannel().queueDeclare("features", false, true, false, null);
    CommandRun run = features(rabbit.uri());
    assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_REFUSED);
    assertThat(run.err().strip())
        .startsWith(
            "mlqueue features: features: queue 'features' on virtual host '"
                + rabbit.name()
                + "' is exclusive to another connection");
    assertThat(run.err().strip().lines()).hasSize(1);
  }

  @Test
  void aWrongPasswordIsRefusedInOneLine() {
    CommandRun run = features("amqp://guest:wrong@127.0.0.1:5672/" + rabbit.name());
    assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
    assertThat(run.err().strip())
        .isEqualTo(
            "mlqueue features: features: the broker at amqp://guest:****@127.0.0.1:5672/"
                + rabbit.name()
                + " refused user 'guest' with the password given (ACCESS_REFUSED)."
                + " Fix: correct the user or password in --amqp-uri (`rabbitmqctl authenticate_user"
                + " guest PASSWORD` tests them on the broker); RabbitMQ lets 'guest' log in only from"
                + " localhost: for a remote broker create a user (rabbitmqctl add_user)");
  }

  @Test
  void aMissingVirtualHostIsNamedWithTheCommandsThatCreateIt() {
    String missing = "mlqueue-it-missing-" + UUID.randomUUID().toString().substring(0, 8);
    CommandRun run = features("amqp://guest:guest@127.0.0.1:5672/" + missing);
    assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
    assertThat(run.err().strip())
        .isEqualTo(
            "mlqueue features: features: the broker at amqp://guest:****@127.0.0.1:5672/"
                + missing
                + " has no virtual host '"
                + missing
                + "'. Fix: `rabbitmqctl add_vhost "
                + missing
                + "` and `rabbitmqctl set_permissions -p "
                + missing
                + " guest '.*' '.*'"
                + " '.*'`, or correct the URI's path (%2F is the default virtual host '/')");
  }

  /** A scratch user with these permissions on the test's vhost ({@code null}: none at all). */
  private String userWith(String configure, String write, String read) throws Exception {
    scratchUser = "mlqueue-it-" + UUID.randomUUID().toString().substring(0, 8);
    RabbitMqVhost.rabbitmqctl("add_user", scratchUser, "pw");
    if (configure != null) {
      RabbitMqVhost.rabbitmqctl(
          "set_permissions", "-p", rabbit.name(), scratchUser, configure, write, read);
    }
    return "amqp://" + scratchUser + ":pw@127.0.0.1:5672/" + rabbit.name();
  }

  @Test
  void aUserWithoutAccessToTheVirtualHostIsToldTheGrant() throws Exception {
    String uri = userWith(null, null, null);
    CommandRun run = features(uri);
    assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
    assertThat(run.err().strip())
        .isEqualTo(
            "mlqueue features: features: the broker at "
                + AmqpSettings.redact(uri)
                + " refuses user '"
                + scratchUser
                + "' access to virtual"
                + " host '"
                + rabbit.name()
                + "' (no permissions there). Fix: `rabbitmqctl"
                + " set_permissions -p "
                + rabbit.name()
                + " "
                + scratchUser
                + " '.*' '.*' '.*'`");
  }

  @Test
  void noConfigurePermissionIsNamed() throws Exception {
    CommandRun run = features(userWith("^$", ".*", ".*"));
    assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_REFUSED);
    assertThat(run.err().strip())
        .isEqualTo(
            "mlqueue features: features: user '"
                + scratchUser
                + "' may not declare queue"
                + " 'features' on virtual host '"
                + rabbit.name()
                + "' (no configure permission). Fix:"
                + " rabbitmqctl set_permissions -p "
                + rabbit.name()
                + " "
                + scratchUser
                + " CONFIGURE WRITE READ with a configure pattern matching 'features' (mlqueue needs"
                + " '.*' '.*' '.*' on its own virtual host)");
  }

  @Test
  void noWritePermissionIsNamedBeforeTheFirstPublish() throws Exception {
    CommandRun run = features(userWith(".*", "^$", ".*"));
    assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_REFUSED);
    assertThat(run.err().strip())
        .isEqualTo(
            "mlqueue features: features: user '"
                + scratchUser
                + "' may not publish (write"
                + " to the default exchange 'amq.default', which every mlqueue message goes through) on"
                + " virtual host '"
                + rabbit.name()
                + "' (no write permission). Fix: rabbitmqctl"
                + " set_permissions -p "
                + rabbit.name()
                + " "
                + scratchUser
                + " CONFIGURE WRITE READ"
                + " with a write pattern matching 'amq.default' (mlqueue needs '.*' '.*' '.*' on its"
                + " own virtual host)");
  }

  @Test
  void noReadPermissionIsNamedWhenTheServiceStartsConsuming() throws Exception {
    String uri = userWith(".*", ".*", "^$");
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try {
      Future<CommandRun> model =
          runner.submit(
              () -> CommandRun.of("model", "--connect-timeout", "20s", "--amqp-uri", uri));
      CommandRun run = model.get(60, TimeUnit.SECONDS);
      assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_REFUSED);
      assertThat(run.err().strip())
          .isEqualTo(
              "mlqueue model: model: user '"
                  + scratchUser
                  + "' may not consume from queue"
                  + " 'features' on virtual host '"
                  + rabbit.name()
                  + "' (no read permission). Fix:"
                  + " rabbitmqctl set_permissions -p "
                  + rabbit.name()
                  + " "
                  + scratchUser
                  + " CONFIGURE WRITE READ with a read pattern matching 'features' (mlqueue needs '.*'"
                  + " '.*' '.*' on its own virtual host)");
    } finally {
      runner.shutdownNow();
    }
  }

  @Test
  void tlsOnThePlainPortIsNamed() {
    CommandRun run = features("amqps://guest:guest@127.0.0.1:5672/" + rabbit.name());
    assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
    assertThat(run.err().strip())
        .isEqualTo(
            "mlqueue features: features: the node at 127.0.0.1:5672"
                + " (amqps://guest:****@127.0.0.1:5672/"
                + rabbit.name()
                + ") speaks plain AMQP, not"
                + " TLS: use amqp:// for this port, or amqps:// with the broker's TLS port (RabbitMQ's"
                + " is usually 5671)");
  }

  @Test
  void anHttpServerOnThePortIsNamed() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.start();
    try {
      int port = http.getAddress().getPort();
      CommandRun run = features("amqp://guest:guest@127.0.0.1:" + port + "/%2F");
      assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
      assertThat(run.err().strip())
          .isEqualTo(
              "mlqueue features: features: the node at 127.0.0.1:"
                  + port
                  + " (amqp://guest:****@127.0.0.1:"
                  + port
                  + "/%2F) is an HTTP server, not an AMQP"
                  + " broker (RabbitMQ's AMQP port is usually 5672; 15672 is its management UI)");
    } finally {
      http.stop(0);
    }
  }

  @Test
  void anAmqp10BrokerIsNamed() throws Exception {
    // What an AMQP 1.0 broker (ActiveMQ Artemis, Qpid Dispatch) answers an AMQP 0-9-1 header: its
    // own protocol header, then it closes.
    try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread.ofVirtual()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    in.readNBytes(8);
                    OutputStream out = s.getOutputStream();
                    out.write(new byte[] {'A', 'M', 'Q', 'P', 0, 1, 0, 0});
                    out.flush();
                  } catch (Exception e) {
                    return;
                  }
                }
              });
      int port = server.getLocalPort();
      CommandRun run = features("amqp://guest:guest@127.0.0.1:" + port + "/%2F");
      assertThat(run.exit()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
      assertThat(run.err().strip())
          .isEqualTo(
              "mlqueue features: features: the node at 127.0.0.1:"
                  + port
                  + " (amqp://guest:****@127.0.0.1:"
                  + port
                  + "/%2F) speaks AMQP 1.0, not the AMQP"
                  + " 0-9-1 of RabbitMQ (an AMQP 1.0 broker such as ActiveMQ Artemis or Azure Service"
                  + " Bus; mlqueue needs RabbitMQ or another AMQP 0-9-1 broker)");
    }
  }

  @Test
  void aQueueDeletedWhileConsumingIsDeclaredAgainAndConsumedAgain() throws Exception {
    AmqpSettings settings = AmqpSettings.of(rabbit.uri());
    ListAppender<ILoggingEvent> consumerLog = new ListAppender<>();
    consumerLog.start();
    Logger logger = (Logger) LoggerFactory.getLogger(QueueConsumer.class);
    logger.addAppender(consumerLog);
    try (Connection connection = BrokerConnector.connect(settings, "model");
        QueueConsumer consumer = QueueConsumer.open(connection, "model", settings)) {
      consumer.declare("features").consume("features", message -> message.ack());
      RabbitMqVhost.rabbitmqctl("delete_queue", "-p", rabbit.name(), "features");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                try (Channel channel = rabbit.connect().createChannel()) {
                  assertThat(channel.queueDeclarePassive("features").getConsumerCount())
                      .isEqualTo(1);
                }
              });
      assertThat(consumerLog.list.stream().map(ILoggingEvent::getFormattedMessage))
          .contains(
              "model: queue 'features' on virtual host '"
                  + rabbit.name()
                  + "' was deleted"
                  + " while model consumed it (the messages in it are gone); declared it again and"
                  + " consuming again");
    } finally {
      logger.detachAppender(consumerLog);
    }
  }
}
