package io.mlqueue.app;

import com.rabbitmq.client.Connection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.ModelCompatibility;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.drift.LiveDrift;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.registry.AliasFollower;
import io.mlqueue.model.registry.ModelReference;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.service.LiveModel;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.model.service.Shadow;
import io.mlqueue.observe.Observability;
import io.mlqueue.observe.Tracing;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
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
  @Mixin TracingOptions tracing;
  @Mixin ModelOptions model;
  @Mixin MetricsOptions metrics;
  @Mixin MessageSizeOption messageSize;
  @Mixin DriftOptions drift;

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

  @Option(
      names = "--shadow",
      paramLabel = "MODEL",
      description =
          "A challenger, named as --model names a model (registry:NAME@ALIAS follows its alias):"
              + " every 'features' message is predicted with it too, and its predictions, tagged"
              + " with its model id, go to 'y_pred_shadow' ('metric --model-log' pairs them);"
              + " 'y_pred' keeps the champion's alone. It must read the champion's features.")
  String shadowSpec;

  @Override
  public Integer call() throws Exception {
    Shutdown.Guard guard = Shutdown.install("model");
    // Registered before the services, so closed after them: their last spans are sent.
    Tracing traces = guard.closeOnStop(tracing.start("model"));
    AmqpSettings settings = TracingOptions.traced(amqp.settings(), traces);
    model.checkPoll();
    // Registered early, so closed late: after the consumers stop. It closes the model served then
    // (an ONNX model's native session) once the last prediction with it is done.
    LiveModel live = guard.closeOnStop(new LiveModel(model.load()));
    Shadow shadow = Shadow.NONE;
    if (shadowSpec != null) {
      ServableModel challenger = model.load(shadowSpec);
      LiveModel shadowLive = guard.closeOnStop(new LiveModel(challenger));
      // The challenger reads the same arrays: another column order would predict from shuffled
      // rows.
      ModelCompatibility.require(challenger, live.current().featureNames());
      shadow = Shadow.of(shadowLive);
      model.follow(shadowSpec, shadowLive).ifPresent(guard::closeOnStop);
    }
    PrometheusMeterRegistry registry = Observability.registry("model");
    ModelService.Config config =
        new ModelService.Config(batchRows, batchWait, registry, messageSize.bytes());
    Optional<LiveDrift> watch =
        drift.start(
            model.reference().map(r -> model.registry.open()),
            DriftOptions.load(model.data),
            registry);
    if (watch.isPresent()) {
      guard.closeOnStop(watch.get());
      config = config.withObserver(watch.get());
    }
    Connection connection = guard.closeOnStop(BrokerConnector.connect(settings, "model"));
    // Before consuming: a port that cannot be bound stops the service before it takes a message.
    guard.closeOnStop(metrics.start("model", registry, connection));
    ModelService service =
        guard.closeOnStop(ModelService.start(connection, settings, live, shadow, config));
    model.follow(live).ifPresent(guard::closeOnStop);
    // Once consuming, not before: reading the profile and fitting its error model take a core for
    // a few hundred ms, which the start-up needs on a small machine. Not awaited either (the first
    // message would start it too): the rows that come meanwhile are not watched.
    watch.ifPresent(w -> w.startWatching(live.current()));
    ServiceMeters.bind(service, registry);
    if (shadow.active()) {
      ServiceMeters.bind(shadow, registry);
    }
    guard.awaitStop();
    return 0;
  }

  /**
   * {@code --model PATH} or {@code --model registry:…}, checked against {@code --data} when both
   * are given.
   */
  static final class ModelOptions {
    /** {@code --model}'s name for the built-in model, for configurations that must give a value. */
    static final String BUILT_IN = "builtin";

    @Option(
        names = "--model",
        paramLabel = "MODEL",
        description =
            "A model written by 'mlqueue train --out' (a path: .json for linear models, .tribuo for"
                + " trees), an ONNX regression model (a path ending in .onnx; see"
                + " docs/MODEL_FORMAT.md), or a registered model:"
                + " registry:NAME@ALIAS (the version the alias points at; 'model' follows it as it"
                + " moves) or registry:NAME:VERSION, or '"
                + BUILT_IN
                + "' (the default: the"
                + " built-in least-squares model of the diabetes data).")
    String spec;

    @Mixin RegistryOption registry;

    @Mixin FeaturesCommand.DataOptions data;

    @Option(
        names = "--model-poll",
        paramLabel = "DURATION",
        defaultValue = "5s",
        converter = DurationConverter.class,
        description =
            "With --model registry:NAME@ALIAS: how often to re-read the alias; when it has moved,"
                + " the worker swaps to that version if it reads the same features (default:"
                + " ${DEFAULT-VALUE}).")
    Duration modelPoll;

    /** Refuses a poll interval that is not positive, before anything starts. */
    void checkPoll() {
      if (modelPoll.isNegative() || modelPoll.isZero()) {
        throw new IllegalArgumentException("--model-poll must be positive, was " + modelPoll);
      }
    }

    /**
     * With {@code --model registry:NAME@ALIAS}, starts following the alias into {@code live}; the
     * follower is the caller's to close. Empty for a file, the built-in model or a pinned version.
     */
    Optional<AliasFollower> follow(LiveModel live) throws IOException {
      return follow(spec, live);
    }

    /** {@link #follow(LiveModel)} for another model, named as {@code --model} names one. */
    Optional<AliasFollower> follow(String modelSpec, LiveModel live) throws IOException {
      Optional<ModelReference> followed =
          reference(modelSpec).filter(r -> r.followedAlias().isPresent());
      if (followed.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(AliasFollower.start(registry.open(), followed.get(), live, modelPoll));
    }

    /** The registry reference {@code --model} gives, if it gives one. */
    Optional<ModelReference> reference() {
      return reference(spec);
    }

    private static Optional<ModelReference> reference(String modelSpec) {
      return modelSpec != null && ModelReference.isReference(modelSpec)
          ? Optional.of(ModelReference.parse(modelSpec))
          : Optional.empty();
    }

    /** The model {@code --model} names now; an ONNX model is the caller's to close. */
    ServableModel load() throws IOException {
      return load(spec);
    }

    /** The model {@code modelSpec} names now, as {@code --model} would; the caller's to close. */
    ServableModel load(String modelSpec) throws IOException {
      ServableModel loaded;
      Optional<ModelReference> ref = reference(modelSpec);
      if (ref.isPresent()) {
        loaded = resolve(registry.open(), ref.get());
      } else if (modelSpec == null || modelSpec.equals(BUILT_IN)) {
        loaded = BuiltInModel.get();
      } else {
        Path file = Path.of(modelSpec);
        loaded = ModelFormat.ofPath(file).load(file);
      }
      if (data.file != null) {
        // The model serves vectors built from this data: a mismatch is better said now than as a
        // dead letter per message.
        try {
          ModelCompatibility.require(loaded, data.load().featureNames());
        } catch (RuntimeException | IOException e) {
          try {
            loaded.close();
          } catch (RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
          throw e;
        }
      }
      return loaded;
    }

    private static ServableModel resolve(ModelRegistry registry, ModelReference ref)
        throws IOException {
      if (ref.followedAlias().isEmpty()) {
        return registry.load(ref.name(), ref.version());
      }
      OptionalInt version = registry.alias(ref.name(), ref.alias());
      if (version.isEmpty()) {
        throw new IllegalArgumentException(
            "model '%s' has no alias '%s' in the registry %s; set it with 'mlqueue models alias %s %s VERSION'"
                .formatted(ref.name(), ref.alias(), registry.root(), ref.name(), ref.alias()));
      }
      return registry.load(ref.name(), version.getAsInt());
    }
  }
}
