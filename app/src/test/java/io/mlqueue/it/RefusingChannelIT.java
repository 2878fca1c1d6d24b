package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.contract.Queues;
import io.mlqueue.data.Dataset;
import io.mlqueue.features.FeaturesConfig;
import io.mlqueue.features.FeaturesService;
import io.mlqueue.features.Pace;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * features replaces a channel on which the broker refuses everything (seen with quorum queues on
 * RabbitMQ 3.10 after a leader change, where the refusals were the channel's, not the queue's), and
 * loses and duplicates nothing doing so. Here the refusals come from a policy that makes {@code
 * y_true} refuse every message (length 0, reject-publish) until the test lifts it.
 */
class RefusingChannelIT {
  @RegisterExtension final RabbitMqVhost rabbit = new RabbitMqVhost();

  @Test
  void aChannelThatOnlyGetsRefusalsIsReplacedAndEveryPairArrivesOnce() throws Exception {
    Connection connection = rabbit.connect();
    try {
      // The queues first, so that the policy finds them.
      io.mlqueue.amqp.Topology.declare(
          connection.createChannel(),
          AmqpSettings.of(rabbit.uri()),
          "test",
          Queues.FEATURES,
          Queues.Y_TRUE);
      rabbit.setPolicy("refuse", "^y_true$", "{\"max-length\":0,\"overflow\":\"reject-publish\"}");
      FeaturesService features =
          new FeaturesService(
              new FeaturesConfig(Dataset.builtIn(), 20, Pace.UNLIMITED, OptionalLong.of(1), 64),
              AmqpSettings.of(rabbit.uri()),
              connection,
              Clock.systemUTC(),
              FeaturesService.Listener.NO_OP);
      CompletableFuture<Long> run =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return features.run(Duration.ofSeconds(30));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      await().atMost(Duration.ofSeconds(30)).until(() -> features.replacedChannels() >= 1);
      assertThat(features.confirmedMessages()).isEqualTo(20); // the features halves only
      rabbit.clearPolicy("refuse");

      assertThat(run.get(60, TimeUnit.SECONDS)).isEqualTo(20);
      assertThat(features.confirmedMessages()).isEqualTo(40);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(rabbit.queueDepths().get(Queues.Y_TRUE).ready()).isEqualTo(20);
                assertThat(rabbit.queueDepths().get(Queues.FEATURES).ready()).isEqualTo(20);
              });
    } finally {
      connection.close();
    }
  }
}
