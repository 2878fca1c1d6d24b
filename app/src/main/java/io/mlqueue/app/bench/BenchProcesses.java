package io.mlqueue.app.bench;

import static io.mlqueue.app.bench.PipelineBench.fmt;

import io.mlqueue.app.Main;
import io.mlqueue.app.pipeline.DelayHistogram;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts the processes of a benchmark run: our services as this very application would be started
 * by the launcher (same Java, same JVM options, same jar), or the course's Python services from
 * {@code interop/course/} with Debian's {@code python3}. Each writes its output to a file of the
 * run's work directory.
 */
final class BenchProcesses {
  private static final String PYTHON = "/usr/bin/python3";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final List<String> java;
  private final Path interop;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  BenchProcesses() {
    Path jar = applicationJar();
    List<String> command = new ArrayList<>();
    String launcher = System.getenv("MLQUEUE_LAUNCHER");
    if (launcher != null && Files.isExecutable(Path.of(launcher))) {
      // As a user starts them: each service with its own start-up cache (scripts/startup-cache.sh).
      command.add(launcher);
    } else {
      command.add(ProcessHandle.current().info().command().orElse("java"));
      command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      command.add("-jar");
      command.add(jar.toString());
    }
    this.java = List.copyOf(command);
    // app/target/mlqueue.jar in a checkout: the course's services are two levels up.
    Path root =
        jar.getParent() == null || jar.getParent().getParent() == null
            ? Path.of(".")
            : jar.getParent().getParent().getParent();
    this.interop = (root == null ? Path.of(".") : root).resolve("interop").resolve("course");
  }

  private static Path applicationJar() {
    try {
      return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot tell where the application's jar is", e);
    }
  }

  /** Why the Python variant cannot run here, or null when it can. */
  String pythonMissing() throws InterruptedException {
    if (!Files.isRegularFile(interop.resolve("model.py"))) {
      return "no " + interop + " (run from a checkout of the repository)";
    }
    try {
      Process p =
          new ProcessBuilder(PYTHON, "-c", "import pika, numpy, sklearn")
              .redirectErrorStream(true)
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return PYTHON
            + " lacks pika, numpy or sklearn (apt-get install python3-pika python3-sklearn)";
      }
    } catch (IOException e) {
      return "no " + PYTHON;
    }
    return null;
  }

  Pipeline pipeline(PipelineBench.Variant variant, String uri, Path work, int batch) {
    return new Pipeline(variant, uri, work, batch);
  }

  /** The three processes of one run. */
  final class Pipeline implements AutoCloseable {
    private final PipelineBench.Variant variant;
    private final String uri;
    private final Path work;
    private final int batch;
    private final int metricPort = freePort();
    private final int modelPort = freePort();
    private final List<Process> started = new ArrayList<>();
    private Process model;
    private Process metric;
    private Process features;
    private double featuresCpu = Double.NaN;
    private double featuresRss = Double.NaN;

    private Pipeline(PipelineBench.Variant variant, String uri, Path work, int batch) {
      this.variant = variant;
      this.uri = uri;
      this.work = work;
      this.batch = batch;
    }

    Path metricLog() {
      return work.resolve("metric_log.csv");
    }

    long modelPid() {
      return model.pid();
    }

    long metricPid() {
      return metric.pid();
    }

    /** Starts model and metric and waits until both consume. */
    void startConsumers() throws IOException, InterruptedException {
      if (variant == PipelineBench.Variant.PYTHON) {
        model = start("model", python("model.py", Map.of()));
        metric = start("metric", python("metric.py", Map.of("LOG_DIR", work.toString())));
        awaitLine("model", "waiting for messages");
        awaitLine("metric", "waiting for messages");
      } else {
        model = start("model", ours("model", "--metrics-port", Integer.toString(modelPort)));
        metric =
            start(
                "metric",
                ours(
                    "metric",
                    "--log-dir",
                    work.toString(),
                    "--metrics-port",
                    Integer.toString(metricPort)));
        awaitHealth("model", modelPort);
        awaitHealth("metric", metricPort);
      }
    }

    /** Starts features sending {@code pairs} pairs, at {@code rate} pairs/s (0: flat out). */
    void startFeatures(long pairs, double rate) throws IOException {
      featuresCpu = Double.NaN;
      featuresRss = Double.NaN;
      if (variant == PipelineBench.Variant.PYTHON) {
        features =
            start(
                "features",
                python(
                    "features.py",
                    Map.of(
                        "COUNT",
                        Long.toString(pairs),
                        "INTERVAL",
                        rate > 0 ? Double.toString(1 / rate) : "0",
                        "CONNECTION",
                        "shared",
                        "SEED",
                        "1")));
      } else {
        List<String> args =
            new ArrayList<>(List.of("features", "--count", Long.toString(pairs), "--seed", "1"));
        if (rate > 0) {
          args.addAll(List.of("--rate", Double.toString(rate)));
        }
        if (variant.bulk()) {
          args.addAll(List.of("--batch", Integer.toString(batch)));
        }
        if (variant == PipelineBench.Variant.BULK_CBOR) {
          args.addAll(List.of("--encoding", "cbor"));
        }
        features = start("features", ours(args.toArray(String[]::new)));
      }
    }

    /** Sends {@code pairs} pairs and waits until features has handed them all to the broker. */
    void runFeatures(long pairs, double rate, Duration timeout)
        throws IOException, InterruptedException {
      startFeatures(pairs, rate);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (features.isAlive() && System.nanoTime() < deadline) {
        sampleFeatures();
        Thread.sleep(20);
      }
      if (features.isAlive()) {
        throw new IOException("features did not finish within " + timeout + "; see " + work);
      }
    }

    /** Reads the CPU and memory of features while it runs (they are gone once it exits). */
    void sampleFeatures() {
      if (features != null && features.isAlive()) {
        double cpu = ProcStats.cpuSeconds(features.pid());
        double rss = ProcStats.peakRssMib(features.pid());
        if (!Double.isNaN(cpu)) {
          featuresCpu = cpu;
        }
        if (!Double.isNaN(rss)) {
          featuresRss = rss;
        }
      }
    }

    double featuresCpu() {
      return featuresCpu;
    }

    double featuresPeakRss() {
      return featuresRss;
    }

    void awaitFeatures(Duration timeout) throws InterruptedException {
      if (features != null) {
        features.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    }

    /**
     * Sends {@code rate} pairs/s for {@code duration} and reads the pairs' delays from metric's
     * histogram ({@code sent_at} to the row written), as upper bounds of its buckets.
     */
    RunResult.FixedRateDelays fixedRateDelays(double rate, Duration duration, MetricLogWatch log)
        throws IOException, InterruptedException {
      long before = log.rows();
      DelayHistogram delaysBefore = delayHistogram();
      long pairs = Math.max(1, Math.round(rate * duration.toMillis() / 1000.0));
      runFeatures(pairs, rate, duration.plusMinutes(2));
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (log.rows() < before + pairs && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      TreeMap<Double, Double> counts = delayHistogram().since(delaysBefore);
      return new RunResult.FixedRateDelays(
          rate,
          pairs,
          quantile(counts, 0.5, "p50"),
          quantile(counts, 0.99, "p99"),
          quantile(counts, 0.999, "p99.9"));
    }

    /** metric's delay histogram now; empty before its first pair. */
    private DelayHistogram delayHistogram() throws IOException, InterruptedException {
      String text =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricPort + "/metrics"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return DelayHistogram.parse(text).orElseGet(() -> new DelayHistogram(new TreeMap<>()));
    }

    private static String quantile(TreeMap<Double, Double> counts, double q, String name) {
      double bound = DelayHistogram.quantileBound(counts, q);
      if (Double.isNaN(bound)) {
        return name + " unknown";
      }
      return Double.isInfinite(bound)
          ? name + " over 5 min"
          : fmt("%s <= %.1f ms", name, bound * 1000);
    }

    private List<String> ours(String... args) {
      List<String> command = new ArrayList<>(java);
      command.addAll(List.of(args));
      command.addAll(List.of("--amqp-uri", uri));
      if (variant == PipelineBench.Variant.COURSE) {
        command.addAll(List.of("--compat", "course"));
      }
      return command;
    }

    private ProcessBuilder python(String script, Map<String, String> env) {
      ProcessBuilder pb = new ProcessBuilder(PYTHON, interop.resolve(script).toString());
      pb.environment().put("AMQP_URL", uri);
      pb.environment().putAll(env);
      return pb;
    }

    private Process start(String name, List<String> command) throws IOException {
      return start(name, new ProcessBuilder(command));
    }

    private Process start(String name, ProcessBuilder pb) throws IOException {
      Path out = work.resolve(name + ".log");
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
      Process p = pb.start();
      started.add(p);
      return p;
    }

    private void awaitHealth(String name, int port) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        try {
          HttpResponse<Void> r =
              http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            return;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(50);
      }
      throw new IOException(name + " was not healthy within " + READY_TIMEOUT + "; see " + work);
    }

    private void awaitLine(String name, String text) throws IOException, InterruptedException {
      Path log = work.resolve(name + ".log");
      long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        if (Files.exists(log) && Files.readString(log).contains(text)) {
          return;
        }
        Thread.sleep(50);
      }
      throw new IOException(name + " did not start within " + READY_TIMEOUT + "; see " + log);
    }

    /**
     * Stops every process: SIGTERM, then a kill for any still there after a minute (a service's
     * first run writes its start-up cache as it exits).
     */
    @Override
    public void close() throws InterruptedException {
      for (Process p : started) {
        p.destroy();
      }
      for (Process p : started) {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on this machine", e);
    }
  }
}
