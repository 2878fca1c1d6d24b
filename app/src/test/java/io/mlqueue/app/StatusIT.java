package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import io.mlqueue.amqp.DeadLetters;
import io.mlqueue.it.RabbitMqVhost;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code mlqueue status} on the real RabbitMQ, through AMQP and through the management API. */
class StatusIT {
  @RegisterExtension final RabbitMqVhost rabbit = new RabbitMqVhost();

  private JsonNode queue(JsonNode status, String name) {
    for (JsonNode q : status.get("queues")) {
      if (q.get("name").asText().equals(name)) {
        return q;
      }
    }
    throw new AssertionError("no queue " + name + " in " + status);
  }

  @Test
  void showsDepthsConsumersDeadLetterReasonsAndUnansweredServices() throws Exception {
    assertThat(CommandRun.of("features", "--count", "3", "--amqp-uri", rabbit.uri()).exit()).isZero();
    Channel channel = rabbit.connect().createChannel();
    channel.basicConsume("y_true", false, new DefaultConsumer(channel));
    AMQP.BasicProperties dead = new AMQP.BasicProperties.Builder()
        .headers(Map.of(DeadLetters.REASON, "invalid features: not a number")).build();
    channel.basicPublish("", "features.dlq", dead, "x".getBytes());
    channel.basicPublish("", "features.dlq", dead, "y".getBytes());

    CommandRun run = CommandRun.of("status", "--json", "--amqp-uri", rabbit.uri(),
        "--management-url", "none", "--health", "model=http://127.0.0.1:1/health");
    assertThat(run.exit()).as(run.err()).isZero();
    // The test JVM's log lines share standard output (the CLI's go to standard error): take the
    // document alone.
    String out = run.out();
    JsonNode status = new ObjectMapper().readTree(out.substring(out.indexOf("\n{\n") + 1));
    assertThat(queue(status, "features").get("ready").asLong()).isEqualTo(3);
    assertThat(queue(status, "features").get("consumers").asLong()).isZero();
    assertThat(queue(status, "y_true").get("consumers").asLong()).as("a worker consumes").isEqualTo(1);
    assertThat(queue(status, "y_pred").get("exists").asBoolean()).isFalse();
    assertThat(queue(status, "y_pred").get("ready").isNull()).as("unknown, not zero").isTrue();
    assertThat(queue(status, "features").get("rates").isNull()).as("AMQP cannot tell rates").isTrue();
    assertThat(status.get("deadLetterReasons").get("features.dlq")
        .get("invalid features: not a number").asInt()).isEqualTo(2);
    assertThat(status.get("services").get("model").asText()).startsWith("not answering at http://127.0.0.1:1/health");

    CommandRun text = CommandRun.of("status", "--amqp-uri", rabbit.uri(), "--management-url", "none",
        "--health", "model=http://127.0.0.1:1/health");
    assertThat(text.out()).containsPattern("features +\\? +3 +\\? +0 +\\? +\\? +\\?\n")
        .contains("    2 × invalid features: not a number").containsPattern("y_pred +absent");
  }
}
