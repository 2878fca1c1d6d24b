package io.mlqueue.app;

import com.rabbitmq.client.Connection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.contract.WireFormat;
import io.mlqueue.data.Dataset;
import io.mlqueue.features.FeaturesConfig;
import io.mlqueue.features.FeaturesService;
import io.mlqueue.features.Pace;
import io.mlqueue.features.Shift;
import io.mlqueue.observe.Observability;
import io.mlqueue.observe.Tracing;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlqueue features}: replays a data set onto {@code features} and {@code y_true}. */
@Command(
    name = "features",
    description =
        "Stream feature vectors to queue 'features' and true answers to 'y_true': random rows of a"
            + " data set (built in: the diabetes data), under fresh UUID ids.")
final class FeaturesCommand implements Callable<Integer> {
  @Mixin AmqpOptions amqp;
  @Mixin DataOptions data;
  @Mixin MetricsOptions metrics;
  @Mixin TracingOptions tracing;

  @ArgGroup(exclusive = true)
  PaceOptions pace = new PaceOptions();

  static final class PaceOptions {
    @Option(
        names = "--interval",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "One pair every DURATION (the course sends one every 10s).")
    Duration interval;

    @Option(names = "--rate", paramLabel = "N", description = "N pairs per second.")
    Double rate;

    Pace pace() {
      if (interval != null) {
        return Pace.every(interval);
      }
      return rate != null ? Pace.rate(rate) : Pace.UNLIMITED;
    }
  }

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "0",
      description = "Send N pairs, then exit (default: until stopped).")
  long count;

  @Option(names = "--seed", paramLabel = "N", description = "Seed for a repeatable order of rows.")
  Long seed;

  @Option(
      names = "--batch",
      paramLabel = "K",
      defaultValue = "1",
      description =
          "Rows per message (default: 1, the course's form). K > 1 sends bulk messages (lists of"
              + " ids and rows; our model answers in kind and metric unpacks them, the course's"
              + " services do not take them): far fewer messages for the broker. At most "
              + FeaturesConfig.MAX_BATCH
              + ".")
  int batch;

  @Option(
      names = "--encoding",
      paramLabel = "FORMAT",
      defaultValue = "json",
      description =
          "json (default, the course's) or cbor: the same messages in CBOR (RFC 8949, content type"
              + " application/cbor), numbers in binary instead of text; our model answers in kind"
              + " and metric reads both, the course's services read only JSON. With --batch, the"
              + " fastest form of the stream (docs/CONTRACT.md).")
  String encoding;

  @Option(
      names = "--shift",
      paramLabel = "FEATURE:DELTA[@N]",
      description =
          "Add DELTA to FEATURE in every pair from the N-th on (counted from 0; default 0), the truth"
              + " left as it was: a controlled drift for demos and tests of drift monitoring"
              + " (docs/MONITORING.md). Repeatable, e.g. --shift bmi:0.05@2000.")
  java.util.List<String> shifts = new java.util.ArrayList<>();

  @Override
  public Integer call() throws Exception {
    AmqpSettings settings = amqp.settings();
    Dataset dataset = data.load();
    WireFormat format;
    try {
      format = WireFormat.named(encoding);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--encoding: " + e.getMessage(), e);
    }
    FeaturesConfig config =
        new FeaturesConfig(
            dataset,
            count,
            pace.pace(),
            seed == null ? OptionalLong.empty() : OptionalLong.of(seed),
            FeaturesConfig.DEFAULT_WINDOW,
            batch,
            shifts.stream().map(spec -> Shift.parse(spec, dataset)).toList(),
            format);
    Tracing traces = tracing.start("features");
    settings = TracingOptions.traced(settings, traces);
    Connection connection = BrokerConnector.connect(settings, "features");
    FeaturesService service =
        new FeaturesService(
            config, settings, connection, Clock.systemUTC(), FeaturesService.Listener.NO_OP);
    CountDownLatch finished = new CountDownLatch(1);
    Shutdown.onSignal("features", service::stop, finished);
    PrometheusMeterRegistry registry = Observability.registry("features");
    ServiceMeters.bind(service, registry);
    AutoCloseable metricsServer = () -> {};
    try {
      // Inside the try: a port that cannot be bound must still close the connection and end the
      // wait of the shutdown hook.
      metricsServer = metrics.start("features", registry, connection);
      service.run(Duration.ofSeconds(20));
    } finally {
      metricsServer.close();
      connection.close();
      traces.close(); // the last spans are sent
      finished.countDown();
    }
    return 0;
  }

  /** {@code --data FILE --target COLUMN}, or the built-in diabetes data. */
  static final class DataOptions {
    @Option(
        names = "--data",
        paramLabel = "FILE",
        description = "A numeric CSV file with a header row (default: the built-in diabetes data).")
    Path file;

    @Option(
        names = "--target",
        paramLabel = "COLUMN",
        defaultValue = Dataset.BUILT_IN_TARGET,
        description = "The target column of --data (default: ${DEFAULT-VALUE}).")
    String target;

    Dataset load() throws java.io.IOException {
      return file == null ? Dataset.builtIn() : Dataset.load(file, target);
    }
  }
}
