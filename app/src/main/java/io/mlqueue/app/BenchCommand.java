package io.mlqueue.app;

import io.mlqueue.app.bench.HttpLoad;
import io.mlqueue.app.bench.PipelineBench;
import io.mlqueue.data.Dataset;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mlqueue bench}: measurements to reproduce the figures in docs/PERFORMANCE.md. */
@Command(
    name = "bench",
    description = "Load tests, bounded in time, against services on this machine.",
    subcommands = {BenchCommand.Gateway.class, BenchCommand.Pipeline.class})
final class BenchCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code mlqueue bench gateway}. */
  @Command(
      name = "gateway",
      description =
          "POST single-row prediction requests (rows of the built-in data) to a running gateway,"
              + " through its /v1/predict or its Open Inference API (--api v2), and print"
              + " requests/s and latency percentiles.")
  static final class Gateway implements Callable<Integer> {
    @Option(
        names = "--url",
        defaultValue = "http://127.0.0.1:8080",
        description = "The gateway (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(
        names = "--api",
        defaultValue = "v1",
        description =
            "v1 (POST /v1/predict, {\"features\": [...]}) or v2 (the Open Inference"
                + " API: POST /v2/models/MODEL/infer, one [1, 10] FP64 tensor) (default: ${DEFAULT-VALUE}).")
    String api;

    @Option(
        names = "--model",
        defaultValue = "diabetes-ols",
        description = "The served model's name, for --api v2 (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(
        names = "--concurrency",
        defaultValue = "64",
        description =
            "Connections in the closed loop; in-flight cap with --rate (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
        names = "--rate",
        defaultValue = "0",
        description =
            "Requests per second on a fixed schedule (open loop); 0 for a closed loop (default).")
    double rate;

    @Option(
        names = "--duration",
        defaultValue = "30s",
        converter = DurationConverter.class,
        description = "How long to measure, at most 10m (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
        names = "--warmup",
        defaultValue = "5s",
        converter = DurationConverter.class,
        description =
            "Unrecorded load first, for the JIT and the connections (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Override
    public Integer call() throws Exception {
      String values =
          Arrays.stream(Dataset.builtIn().features(0))
              .mapToObj(Double::toString)
              .collect(Collectors.joining(", ", "[", "]"));
      String base = url.replaceAll("/+$", "");
      URI target;
      String json;
      switch (api) {
        case "v1" -> {
          target = URI.create(base + "/v1/predict");
          json = "{\"features\": " + values + "}";
        }
        case "v2" -> {
          if (!model.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(
                "--model must be a model name (letters, digits, . _ -), got " + model);
          }
          target = URI.create(base + "/v2/models/" + model + "/infer");
          json =
              "{\"inputs\": [{\"name\": \"input-0\", \"shape\": [1, 10], \"datatype\": \"FP64\","
                  + " \"data\": "
                  + values
                  + "}]}";
        }
        default -> throw new IllegalArgumentException("--api must be v1 or v2, got " + api);
      }
      String host = target.getHost();
      if (!"127.0.0.1".equals(host) && !"localhost".equals(host) && !"::1".equals(host)) {
        throw new IllegalArgumentException(
            "bench only loads services on this machine (127.0.0.1), not " + host);
      }
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      HttpLoad.Plan plan = new HttpLoad.Plan(target, body, concurrency, rate, warmup, duration);
      System.out.printf(
          Locale.ROOT,
          "bench: %s, %s, %s after %s warm-up%n",
          target,
          rate == 0
              ? "closed loop, " + concurrency + " connections"
              : "open loop at " + rate + " req/s (at most " + concurrency + " in flight)",
          duration,
          warmup);
      HttpLoad.Result r = new HttpLoad(plan).run();
      System.out.printf(
          Locale.ROOT,
          "bench: %,d requests in %.1f s: %,.0f req/s; latency p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; %d failed %s%n",
          r.requests(),
          r.elapsed().toNanos() / 1e9,
          r.throughput(),
          r.percentileMillis(50),
          r.percentileMillis(95),
          r.percentileMillis(99),
          r.latency().getMaxValue() / 1000.0,
          r.failures(),
          r.failures() == 0 ? "" : "(by status, -1 = no answer: " + r.byStatus() + ")");
      return r.failures() == 0 ? 0 : 2;
    }
  }

  /** {@code mlqueue bench pipeline}. */
  @Command(
      name = "pipeline",
      description =
          "Run features -> model -> metric as separate processes on the RabbitMQ of this machine"
              + " (each run in a scratch virtual host, made with rabbitmqctl), for several pipelines"
              + " interleaved: the course's Python services, ours durable, ours with --compat course,"
              + " ours with bulk messages (JSON and CBOR). Prints pairs/s, CPU seconds per process and of the broker,"
              + " peak memory, rows lost or duplicated, and the delay at a fixed rate.")
  static final class Pipeline implements Callable<Integer> {
    @Option(
        names = "--variants",
        defaultValue = "python,durable,course,bulk,bulk-cbor",
        split = ",",
        description = "Pipelines to run, in this order each round (default: ${DEFAULT-VALUE}).")
    List<String> variants;

    @Option(
        names = "--rounds",
        defaultValue = "3",
        description = "Runs of each (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
        names = "--pairs",
        defaultValue = "30000",
        description = "Pairs per run of the single-row pipelines (default: ${DEFAULT-VALUE}).")
    long pairs;

    @Option(
        names = "--bulk-pairs",
        defaultValue = "1000000",
        description = "Pairs per run of the bulk pipeline (default: ${DEFAULT-VALUE}).")
    long bulkPairs;

    @Option(
        names = "--batch",
        defaultValue = "100",
        description = "Rows per message of the bulk pipeline (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
        names = "--drain",
        description =
            "Fill the queues first, then start model and metric and time them alone, from"
                + " the first row to the last: what the workers sustain without the source's cost.")
    boolean drain;

    @Option(
        names = "--rate",
        defaultValue = "1000",
        description =
            "After each of our runs, send this many pairs/s for --rate-duration and report"
                + " the delay of a pair (features' sent_at to its row); 0 for none (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
        names = "--rate-duration",
        defaultValue = "10s",
        converter = DurationConverter.class,
        description = "How long the fixed-rate run lasts (default: ${DEFAULT-VALUE}).")
    Duration rateDuration;

    @Option(
        names = "--amqp-host",
        defaultValue = "127.0.0.1:5672",
        description = "The RabbitMQ of this machine (default: ${DEFAULT-VALUE}); loopback only.")
    String amqpHost;

    @Option(
        names = "--user",
        defaultValue = "guest",
        description = "Broker user (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(
        names = "--password",
        defaultValue = "guest",
        description = "Its password (default: ${DEFAULT-VALUE}).")
    String password;

    @Option(
        names = "--timeout",
        defaultValue = "5m",
        converter = DurationConverter.class,
        description = "The longest one run may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
      String host = amqpHost.replaceAll(":[0-9]+$", "");
      if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
        throw new IllegalArgumentException(
            "bench only loads the broker of this machine (127.0.0.1), not " + host);
      }
      if (rounds < 1 || pairs < 1 || bulkPairs < 1 || batch < 2) {
        throw new IllegalArgumentException(
            "--rounds, --pairs and --bulk-pairs must be positive, --batch at least 2");
      }
      PipelineBench.Plan plan =
          new PipelineBench.Plan(
              variants.stream().map(PipelineBench.Variant::parse).toList(),
              rounds,
              pairs,
              bulkPairs,
              batch,
              drain,
              rate,
              rateDuration,
              amqpHost,
              user,
              password,
              timeout);
      return new PipelineBench(plan, System.out).run() ? 0 : 2;
    }
  }
}
