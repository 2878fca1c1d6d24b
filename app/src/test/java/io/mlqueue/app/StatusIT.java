package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.DeadLetters;
import io.mlqueue.it.ManagementPlugin;
import io.mlqueue.it.RabbitMqVhost;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.service.LiveModel;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.observe.MetricsServer;
import io.mlqueue.observe.Observability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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
    assertThat(CommandRun.of("features", "--count", "3", "--amqp-uri", rabbit.uri()).exit())
        .isZero();
    Channel channel = rabbit.connect().createChannel();
    channel.basicConsume("y_true", false, new DefaultConsumer(channel));
    AMQP.BasicProperties dead =
        new AMQP.BasicProperties.Builder()
            .headers(Map.of(DeadLetters.REASON, "invalid features: not a number"))
            .build();
    channel.basicPublish("", "features.dlq", dead, "x".getBytes());
    channel.basicPublish("", "features.dlq", dead, "y".getBytes());

    CommandRun run =
        CommandRun.of(
            "status",
            "--json",
            "--amqp-uri",
            rabbit.uri(),
            "--management-url",
            "none",
            "--health",
            "model=http://127.0.0.1:1/health");
    assertThat(run.exit()).as(run.err()).isZero();
    // The test JVM's log lines share standard output (the CLI's go to standard error): take the
    // document alone.
    String out = run.out();
    JsonNode status = new ObjectMapper().readTree(out.substring(out.indexOf("\n{\n") + 1));
    assertThat(queue(status, "features").get("ready").asLong()).isEqualTo(3);
    assertThat(queue(status, "features").get("consumers").asLong()).isZero();
    assertThat(queue(status, "y_true").get("consumers").asLong())
        .as("a worker consumes")
        .isEqualTo(1);
    assertThat(queue(status, "y_pred").get("exists").asBoolean()).isFalse();
    assertThat(queue(status, "y_pred").get("ready").isNull()).as("unknown, not zero").isTrue();
    assertThat(queue(status, "features").get("rates").isNull())
        .as("AMQP cannot tell rates")
        .isTrue();
    assertThat(
            status
                .get("deadLetterReasons")
                .get("features.dlq")
                .get("invalid features: not a number")
                .asInt())
        .isEqualTo(2);
    assertThat(status.get("services").get("model").asText())
        .startsWith("not answering at http://127.0.0.1:1/health");

    CommandRun text =
        CommandRun.of(
            "status",
            "--amqp-uri",
            rabbit.uri(),
            "--management-url",
            "none",
            "--health",
            "model=http://127.0.0.1:1/health");
    assertThat(text.out())
        .containsPattern("features +\\? +3 +\\? +0 +\\? +\\? +\\?\n")
        .contains("    2 × invalid features: not a number")
        .containsPattern("y_pred +absent");
  }

  private JsonNode status(String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("status", "--json", "--amqp-uri", rabbit.uri()));
    args.addAll(List.of(more));
    CommandRun run = CommandRun.of(args.toArray(String[]::new));
    assertThat(run.exit()).as(run.err()).isZero();
    String out = run.out();
    return new ObjectMapper().readTree(out.substring(out.indexOf("\n{\n") + 1));
  }

  /**
   * The status once {@code done} holds of it, or the last one read after {@code timeout} (the
   * management API's statistics lag the broker by its collection interval, 5 s by default).
   */
  private JsonNode awaitStatus(Predicate<JsonNode> done, Duration timeout, String... args)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode status = status(args);
    while (!done.test(status) && System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      status = status(args);
    }
    return status;
  }

  private long count(JsonNode status, String queue, String field) {
    JsonNode v = queue(status, queue).get(field);
    return v == null || v.isNull() ? -1 : v.asLong();
  }

  @Test
  void throughTheManagementApiWhenThePluginIsOnOverAmqpWhenItIsOffOrRefuses() throws Exception {
    assertThat(CommandRun.of("features", "--count", "20", "--amqp-uri", rabbit.uri()).exit())
        .isZero();
    Connection connection = rabbit.connect();
    Channel declare = connection.createChannel();
    declare.queueDeclare("y_true_feedback", false, false, false, null); // as the course declares
    // A worker on y_true that holds 3 messages unacked.
    Channel worker = connection.createChannel();
    worker.basicQos(3);
    worker.basicConsume("y_true", false, new DefaultConsumer(worker));
    // A model worker on features (and predict), with its metrics endpoint.
    PrometheusMeterRegistry registry = Observability.registry("model");
    ModelService model =
        ModelService.start(
            rabbit.connect(),
            AmqpSettings.of(rabbit.uri()),
            new LiveModel(BuiltInModel.get()),
            new ModelService.Config(64, Duration.ZERO, registry));
    MetricsServer metrics = MetricsServer.start("model", "127.0.0.1", 0, registry, () -> true);
    String health = "model=" + metrics.url() + "/health";
    String served = BuiltInModel.NAME + ":" + BuiltInModel.VERSION;
    RabbitMqVhost.awaitReadyCounts(
        declare,
        Map.of("features", 0L, "y_pred", 20L, "y_true", 17L),
        Duration.ofSeconds(30),
        "the model worker predicted every row");

    boolean wasOn = ManagementPlugin.enabled();
    boolean workersStopped = false;
    try {
      if (!wasOn) {
        JsonNode off = status("--health", health);
        assertThat(off.get("via").asText()).isEqualTo("AMQP");
        assertThat(off.get("viaDetail").asText())
            .isEqualTo(
                "the management API not answering at "
                    + ManagementPlugin.URL
                    + " (connection refused)");
        assertThat(count(off, "y_true", "ready")).isEqualTo(17);
        assertThat(count(off, "y_true", "unacked")).as("unknown over AMQP").isEqualTo(-1);
        assertThat(queue(off, "y_true").get("mode").isNull()).isTrue();
        assertThat(off.get("models").get("model").get(0).get("model").asText()).isEqualTo(served);
      }

      try (ManagementPlugin plugin = ManagementPlugin.enable(Duration.ofSeconds(90))) {
        JsonNode on =
            awaitStatus(
                s ->
                    count(s, "y_true", "unacked") == 3
                        && count(s, "y_true", "consumers") == 1
                        && count(s, "features", "consumers") == 1
                        && count(s, "y_pred", "ready") == 20,
                Duration.ofSeconds(60),
                "--health",
                health);
        assertThat(on.get("via").asText()).isEqualTo("management API");
        assertThat(on.get("viaDetail").asText()).isEqualTo(ManagementPlugin.URL);
        assertThat(count(on, "y_true", "ready")).isEqualTo(17);
        assertThat(count(on, "y_true", "unacked")).isEqualTo(3);
        assertThat(count(on, "y_true", "consumers")).isEqualTo(1);
        assertThat(count(on, "features", "ready")).isZero();
        assertThat(count(on, "features", "consumers")).isEqualTo(1);
        assertThat(count(on, "predict", "consumers")).isEqualTo(1);
        assertThat(count(on, "y_pred", "ready")).isEqualTo(20);
        assertThat(count(on, "y_pred", "consumers")).isZero();
        assertThat(queue(on, "features").get("mode").asText()).isEqualTo("durable");
        assertThat(queue(on, "features.dlq").get("mode").asText()).isEqualTo("durable");
        assertThat(queue(on, "y_true_feedback").get("mode").asText())
            .isEqualTo("transient (course)");
        assertThat(queue(on, "y_pred_shadow").get("exists").asBoolean()).isFalse();
        assertThat(on.get("models").get("model").get(0).get("model").asText()).isEqualTo(served);
        assertThat(on.get("models").get("model").get(0).get("role").asText()).isEqualTo("champion");

        CommandRun text = CommandRun.of("status", "--amqp-uri", rabbit.uri(), "--health", health);
        assertThat(text.out())
            .contains("read through the management API at " + ManagementPlugin.URL)
            .containsPattern("y_true +durable +17 +3 +1 ")
            .containsPattern("y_true_feedback +transient \\(course\\) ")
            .contains("models served by model: " + served + " (champion)");

        // The API on, but asked at a wrong port or with a wrong password: over AMQP, saying why.
        JsonNode wrongPort = status("--management-url", "http://127.0.0.1:1", "--health", health);
        assertThat(wrongPort.get("via").asText()).isEqualTo("AMQP");
        assertThat(wrongPort.get("viaDetail").asText())
            .contains("not answering at http://127.0.0.1:1");
        JsonNode wrongPassword =
            status("--management-url", "http://guest:wrong@127.0.0.1:15672", "--health", health);
        assertThat(wrongPassword.get("via").asText()).isEqualTo("AMQP");
        assertThat(wrongPassword.get("viaDetail").asText())
            .contains("refused at " + ManagementPlugin.URL + ": 401")
            .doesNotContain("wrong");

        // The workers stop: no consumers, the unacked messages back to ready.
        workersStopped = true;
        metrics.close();
        model.close();
        worker.close();
        JsonNode stopped =
            awaitStatus(
                s ->
                    count(s, "features", "consumers") == 0
                        && count(s, "y_true", "consumers") == 0
                        && count(s, "y_true", "ready") == 20,
                Duration.ofSeconds(60),
                "--health",
                health);
        assertThat(stopped.get("via").asText()).isEqualTo("management API");
        assertThat(count(stopped, "features", "consumers")).isZero();
        assertThat(count(stopped, "predict", "consumers")).isZero();
        assertThat(count(stopped, "y_true", "consumers")).isZero();
        assertThat(count(stopped, "y_true", "ready")).isEqualTo(20);
        assertThat(count(stopped, "y_true", "unacked")).isZero();
        assertThat(stopped.get("models").has("model")).as("the worker is gone").isFalse();
        assertThat(stopped.get("services").get("model").asText()).startsWith("not answering");
      }
    } finally {
      if (!workersStopped) {
        metrics.close();
        model.close();
      }
    }
    assertThat(ManagementPlugin.enabled()).as("the plugin as it was before").isEqualTo(wasOn);
  }
}
