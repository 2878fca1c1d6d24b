package io.mlqueue.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What RabbitMQ answers, and what a node that is not RabbitMQ answers, read into words. */
class BrokerAnswersTest {
  private static IOException channelClosed(int code, String text) {
    AMQP.Channel.Close close =
        new AMQP.Channel.Close.Builder().replyCode(code).replyText(text).build();
    IOException e = new IOException();
    e.initCause(new ShutdownSignalException(false, false, close, null));
    return e;
  }

  @Test
  void aConnectionGoingDownIsToldFromARefusalAndFromOurOwnClose() {
    // A node killed mid-start: the socket is reset, the connection shuts down as a hard error.
    ShutdownSignalException reset = new ShutdownSignalException(true, false, null, null);
    reset.initCause(new java.net.SocketException("Connection reset"));
    assertThat(Failures.connectionLost(reset)).isTrue();
    assertThat(Failures.connectionLost(new IOException(reset))).isTrue();
    assertThat(Failures.connectionLost(new com.rabbitmq.client.AlreadyClosedException(reset)))
        .isTrue();
    assertThat(Failures.connectionLost(new IOException(new java.io.EOFException()))).isTrue();
    // A node shutting down closes connections with 320 CONNECTION_FORCED: also a hard error.
    AMQP.Connection.Close forced =
        new AMQP.Connection.Close.Builder().replyCode(320).replyText("CONNECTION_FORCED").build();
    assertThat(Failures.connectionLost(new ShutdownSignalException(true, false, forced, null)))
        .isTrue();
    // The broker refusing a declare closes only the channel; this process closing is no loss.
    assertThat(
            Failures.connectionLost(channelClosed(406, "PRECONDITION_FAILED - inequivalent arg")))
        .isFalse();
    assertThat(Failures.connectionLost(new ShutdownSignalException(true, true, null, null)))
        .isFalse();
    assertThat(Failures.connectionLost(new IOException("disk full"))).isFalse();
  }

  @Test
  void anInequivalentArgReplyNamesTheKeyAndBothValues() {
    BrokerReply reply =
        BrokerReply.of(
                channelClosed(
                    406,
                    "PRECONDITION_FAILED - inequivalent arg"
                        + " 'x-message-ttl' for queue 'features' in vhost 'v': received none but current is the"
                        + " value '60000' of type 'signedint'"))
            .orElseThrow();
    BrokerReply.Inequivalent arg = reply.inequivalent().orElseThrow();
    assertThat(arg.key()).isEqualTo("x-message-ttl");
    assertThat(QueueProbe.parse(arg.received())).contains(Optional.empty());
    assertThat(QueueProbe.parse(arg.current())).contains(Optional.of(60000));
    assertThat(QueueProbe.parse("'false'")).contains(Optional.of(false));
    assertThat(QueueProbe.parse("the value 'quorum' of type 'longstr'"))
        .contains(Optional.of("quorum"));
    assertThat(QueueProbe.parse("the value '[]' of type 'array'")).isEmpty();
  }

  @Test
  void anAccessRefusedReplyOfRabbitMq3TakesThePermissionFromTheOperation() {
    BrokerReply reply =
        BrokerReply.of(
                channelClosed(
                    403,
                    "ACCESS_REFUSED - access to queue"
                        + " 'features' in vhost 'v' refused for user 'u'"))
            .orElseThrow();
    assertThat(reply.refusal("read").orElseThrow().explain())
        .startsWith(
            "user 'u' may not consume from queue 'features' on virtual host 'v' (no read"
                + " permission)");
    BrokerReply named =
        BrokerReply.of(
                channelClosed(
                    403,
                    "ACCESS_REFUSED - write access to"
                        + " exchange 'amq.default' in vhost 'v' refused for user 'u'"))
            .orElseThrow();
    assertThat(named.refusal("configure").orElseThrow().permission()).isEqualTo("write");
  }

  @Test
  void aFailureNeverReadsAsABareClassName() {
    assertThat(Failures.message(new IOException())).doesNotContain("IOException");
    assertThat(Failures.message(channelClosed(404, "NOT_FOUND - no queue 'x' in vhost 'v'")))
        .isEqualTo("the broker answered 404: no queue 'x' in vhost 'v'");
    assertThat(
            Failures.message(new IOException(new java.net.ConnectException("Connection refused"))))
        .isEqualTo("Connection refused");
    assertThat(Failures.message(new IllegalArgumentException("--prefetch must be 1 to 65535")))
        .isEqualTo("--prefetch must be 1 to 65535");
  }

  @Test
  void theFirstBytesOfAnAnswerTellWhatListens() {
    assertThat(NodeProbe.classify(new byte[] {1, 0, 0, 0, 0, 1, 2, 3}, false)).isEmpty();
    assertThat(NodeProbe.classify(new byte[] {0x15, 0x03, 0x03, 0, 2, 2, 10}, false).orElseThrow())
        .startsWith("answered with a TLS alert: it is a TLS port");
    assertThat(NodeProbe.classify("SSH-2.0-OpenSSH_9.6".getBytes(), false).orElseThrow())
        .isEqualTo("is an SSH server, not an AMQP broker");
    assertThat(NodeProbe.classify(new byte[0], false).orElseThrow())
        .startsWith("closed the connection on the AMQP greeting without a word");
  }

  @Test
  void theVirtualHostAndUserAreReadFromTheUriAsTheClientReadsThem() {
    assertThat(AmqpSettings.of("amqp://guest:guest@h:5672/%2F").vhost()).isEqualTo("/");
    assertThat(AmqpSettings.of("amqp://h").vhost()).isEqualTo("/");
    assertThat(AmqpSettings.of("amqp://u:p@h/my-vhost").vhost()).isEqualTo("my-vhost");
    assertThat(AmqpSettings.of("amqp://u:p@h/my-vhost").user()).isEqualTo("u");
    assertThat(AmqpSettings.of("amqp://h").user()).isEqualTo("guest");
  }
}
