package io.mlqueue.app;

import io.mlqueue.app.bench.HttpLoad;
import io.mlqueue.data.Dataset;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mlqueue bench}: measurements to reproduce the figures in docs/PERFORMANCE.md. */
@Command(
    name = "bench",
    description = "Load tests, bounded in time, against services on this machine.",
    subcommands = {BenchCommand.Gateway.class})
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
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
        description = "The gateway (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--api", defaultValue = "v1",
        description = "v1 (POST /v1/predict, {\"features\": [...]}) or v2 (the Open Inference"
            + " API: POST /v2/models/MODEL/infer, one [1, 10] FP64 tensor) (default: ${DEFAULT-VALUE}).")
    String api;

    @Option(names = "--model", defaultValue = "diabetes-ols",
        description = "The served model's name, for --api v2 (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--concurrency", defaultValue = "64",
        description = "Connections in the closed loop; in-flight cap with --rate (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--rate", defaultValue = "0",
        description = "Requests per second on a fixed schedule (open loop); 0 for a closed loop (default).")
    double rate;

    @Option(names = "--duration", defaultValue = "30s", converter = DurationConverter.class,
        description = "How long to measure, at most 10m (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class,
        description = "Unrecorded load first, for the JIT and the connections (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Override
    public Integer call() throws Exception {
      String values = Arrays.stream(Dataset.builtIn().features(0)).mapToObj(Double::toString)
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
            throw new IllegalArgumentException("--model must be a model name (letters, digits, . _ -), got " + model);
          }
          target = URI.create(base + "/v2/models/" + model + "/infer");
          json = "{\"inputs\": [{\"name\": \"input-0\", \"shape\": [1, 10], \"datatype\": \"FP64\","
              + " \"data\": " + values + "}]}";
        }
        default -> throw new IllegalArgumentException("--api must be v1 or v2, got " + api);
      }
      String host = target.getHost();
      if (!"127.0.0.1".equals(host) && !"localhost".equals(host) && !"::1".equals(host)) {
        throw new IllegalArgumentException("bench only loads services on this machine (127.0.0.1), not " + host);
      }
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      HttpLoad.Plan plan = new HttpLoad.Plan(target, body, concurrency, rate, warmup, duration);
      System.out.printf(Locale.ROOT, "bench: %s, %s, %s after %s warm-up%n", target,
          rate == 0 ? "closed loop, " + concurrency + " connections" : "open loop at " + rate + " req/s (at most " + concurrency + " in flight)",
          duration, warmup);
      HttpLoad.Result r = new HttpLoad(plan).run();
      System.out.printf(Locale.ROOT,
          "bench: %,d requests in %.1f s: %,.0f req/s; latency p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; %d failed %s%n",
          r.requests(), r.elapsed().toNanos() / 1e9, r.throughput(), r.percentileMillis(50),
          r.percentileMillis(95), r.percentileMillis(99), r.latency().getMaxValue() / 1000.0,
          r.failures(), r.failures() == 0 ? "" : "(by status, -1 = no answer: " + r.byStatus() + ")");
      return r.failures() == 0 ? 0 : 2;
    }
  }
}
