package io.mlqueue.app;

import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ModelArtifact;
import io.mlqueue.model.ModelCompatibility;
import io.mlqueue.model.service.ModelService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.observe.Observability;
import java.io.IOException;
import java.time.Duration;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlqueue model}: the worker that turns feature vectors into predictions. */
@Command(
    name = "model",
    description =
        "Consume feature vectors from 'features' and publish predictions to 'y_pred' under the same"
            + " id. Run several to share the load.")
final class ModelCommand implements Callable<Integer> {
  @Mixin AmqpOptions amqp;
  @Mixin ModelOptions model;
  @Mixin MetricsOptions metrics;
  @Mixin MessageSizeOption messageSize;

  @Option(
      names = "--batch-size",
      paramLabel = "ROWS",
      defaultValue = "" + ModelService.Config.DEFAULT_BATCH_ROWS,
      description =
          "Request/reply calls are predicted in micro-batches of up to ROWS rows"
              + " (default: ${DEFAULT-VALUE}).")
  int batchRows;

  @Option(
      names = "--batch-wait",
      paramLabel = "DURATION",
      defaultValue = "0ms",
      converter = DurationConverter.class,
      description =
          "…or once the first call of a batch has waited DURATION for more (default: ${DEFAULT-VALUE}:"
              + " a batch takes what is waiting; under load the next fills while one is predicted).")
  Duration batchWait;

  @Override
  public Integer call() throws Exception {
    Shutdown.Guard guard = Shutdown.install("model");
    AmqpSettings settings = amqp.settings();
    LinearModel loaded = model.load();
    PrometheusMeterRegistry registry = Observability.registry("model");
    ModelService.Config config =
        new ModelService.Config(batchRows, batchWait, registry, messageSize.bytes());
    Connection connection = guard.closeOnStop(BrokerConnector.connect(settings, "model"));
    ModelService service =
        guard.closeOnStop(ModelService.start(connection, settings, loaded, config));
    ServiceMeters.bind(service, registry);
    guard.closeOnStop(metrics.start("model", registry, connection));
    guard.awaitStop();
    return 0;
  }

  /** {@code --model PATH}, checked against {@code --data} when both are given. */
  static final class ModelOptions {
    @Option(
        names = "--model",
        paramLabel = "PATH",
        description =
            "A model artifact written by 'mlqueue train' (default: the built-in least-squares model"
                + " of the diabetes data).")
    Path artifact;

    @Mixin FeaturesCommand.DataOptions data;

    LinearModel load() throws IOException {
      LinearModel loaded = artifact == null ? BuiltInModel.get() : ModelArtifact.read(artifact);
      if (data.file != null) {
        // The model serves vectors built from this data: a mismatch is better said now than as a
        // dead letter per message.
        ModelCompatibility.require(loaded, data.load().featureNames());
      }
      return loaded;
    }
  }
}
