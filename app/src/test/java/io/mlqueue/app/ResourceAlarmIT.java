package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.amqp.ConfirmedPublisher;
import io.mlqueue.amqp.Outcome;
import io.mlqueue.amqp.Topology;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.contract.Queues;
import io.mlqueue.gateway.ApiError;
import io.mlqueue.gateway.PredictionCall;
import io.mlqueue.gateway.amqp.AmqpPredictor;
import io.mlqueue.it.RabbitMqVhost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A memory alarm mid-stream on the real RabbitMQ: the publisher says once that the broker blocks it
 * and once that it unblocked, the gateway answers 503 broker_blocked meanwhile, and every message
 * arrives when it clears. It lowers the broker's memory watermark, a global setting: it runs only
 * when no benchmark holds /tmp/bench.lock, and restores the setting in any case.
 */
class ResourceAlarmIT {
  @RegisterExtension final RabbitMqVhost rabbit = new RabbitMqVhost();

  @Test
  void publishersWaitThroughAMemoryAlarmSayingSoOnceAndLoseNothing() throws Exception {
    Assumptions.assumeFalse(
        Files.exists(Path.of("/tmp/bench.lock")),
        "a benchmark holds /tmp/bench.lock: the broker's watermark stays as it is");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger logger = (Logger) LoggerFactory.getLogger(BrokerConnector.class);
    logger.addAppender(log);
    String watermark =
        RabbitMqVhost.rabbitmqctl("eval", "vm_memory_monitor:get_vm_memory_high_watermark().")
            .strip();
    AmqpSettings settings = AmqpSettings.of(rabbit.uri());
    AtomicInteger confirmed = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean streaming =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    try (Connection features = BrokerConnector.connect(settings, "features");
        Connection gateway = BrokerConnector.connect(settings, "gateway");
        AmqpPredictor predictor =
            AmqpPredictor.start(gateway, settings, new SimpleMeterRegistry())) {
      Channel channel = features.createChannel();
      Topology.declare(channel, settings, "features", Queues.FEATURES);
      ConfirmedPublisher publisher = new ConfirmedPublisher(channel);
      Thread stream =
          Thread.ofVirtual()
              .start(
                  () -> {
                    // Until the alarm has come and gone: rabbitmqctl takes seconds to start.
                    for (int i = 0; streaming.get(); i++) {
                      sent.incrementAndGet();
                      publisher.publish(
                          Queues.FEATURES,
                          MessageProperties.PERSISTENT_BASIC,
                          ("{\"n\":" + i + "}").getBytes(),
                          new Outcome() {
                            @Override
                            public void confirmed() {
                              confirmed.incrementAndGet();
                            }

                            @Override
                            public void failed(String reason) {}
                          });
                      try {
                        Thread.sleep(10);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      await().atMost(Duration.ofSeconds(20)).until(() -> confirmed.get() >= 20);
      try {
        RabbitMqVhost.rabbitmqctl("set_vm_memory_high_watermark", "0.0000001");
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(messages(log))
                        .anyMatch(
                            m ->
                                m.startsWith(
                                    "features: the broker at "
                                        + settings.redactedUri()
                                        + " blocks publishing: low on memory")));
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  ExecutionException refused =
                      org.assertj.core.api.Assertions.catchThrowableOfType(
                          ExecutionException.class,
                          () ->
                              predictor
                                  .predict(
                                      PredictRequest.positional(
                                          MessageId.random(), new double[][] {{1.0}}),
                                      Duration.ofSeconds(1))
                                  .get());
                  assertThat(refused).isNotNull();
                  ApiError answer =
                      PredictionCall.failure(refused.getCause(), null, Duration.ofSeconds(1));
                  assertThat(answer.status()).isEqualTo(503);
                  assertThat(answer.code()).isEqualTo(ApiError.BROKER_BLOCKED);
                });
      } finally {
        restore(watermark);
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(messages(log))
                      .anyMatch(
                          m -> m.startsWith("features: the broker unblocked publishing after")));
      streaming.set(false);
      stream.join();
      await().atMost(Duration.ofSeconds(60)).until(() -> confirmed.get() == sent.get());
      assertThat(
              messages(log).stream()
                  .filter(
                      m ->
                          m.startsWith("features: the broker at")
                              && m.contains("blocks publishing")))
          .as("said once when it started")
          .hasSize(1);
      assertThat(messages(log))
          .anyMatch(m -> m.startsWith("features: the broker unblocked" + " publishing after"));
      assertThat(channel.queueDeclarePassive(Queues.FEATURES).getMessageCount())
          .as("nothing lost")
          .isEqualTo(sent.get());
    } finally {
      logger.detachAppender(log);
      restore(watermark);
    }
  }

  private static List<String> messages(ListAppender<ILoggingEvent> log) {
    return List.copyOf(log.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /**
   * Sets the watermark back as {@code rabbitmqctl eval} printed it: a fraction, or {absolute,N}.
   */
  private static void restore(String printed) throws Exception {
    if (printed.startsWith("{absolute,")) {
      RabbitMqVhost.rabbitmqctl(
          "set_vm_memory_high_watermark",
          "absolute",
          printed.substring("{absolute,".length(), printed.length() - 1));
    } else {
      RabbitMqVhost.rabbitmqctl("set_vm_memory_high_watermark", printed);
    }
  }
}
