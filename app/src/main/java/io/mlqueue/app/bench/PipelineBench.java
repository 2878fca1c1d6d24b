package io.mlqueue.app.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The stream benchmark ({@code mlqueue bench pipeline}): features → model → metric as separate
 * processes on the RabbitMQ of this machine, each run in a scratch virtual host, variants
 * interleaved round by round so a slow minute of the machine hurts them all alike.
 *
 * <p>A run sends {@code pairs} pairs flat out and times them from the start of {@code features} to
 * the last row of {@code metric_log.csv}; with {@code drain}, the queues are filled first and the
 * consumers timed alone, from the first row to the last. It reports pairs/s, the CPU seconds of
 * each process and of the broker (from /proc), peak memory, and what the log holds: rows lost or
 * written twice. Our services' runs also measure the delay of each pair at a fixed rate.
 */
public final class PipelineBench {
  /** A pipeline under test. */
  public enum Variant {
    PYTHON("python", "the course's Python services"),
    DURABLE("durable", "mlqueue, default (durable)"),
    COURSE("course", "mlqueue --compat course"),
    BULK("bulk", "mlqueue --batch K (durable)"),
    BULK_CBOR("bulk-cbor", "mlqueue --batch K --encoding cbor");

    final String key;
    final String label;

    Variant(String key, String label) {
      this.key = key;
      this.label = label;
    }

    public static Variant parse(String key) {
      for (Variant v : values()) {
        if (v.key.equalsIgnoreCase(key.trim())) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "unknown variant '" + key + "'; choose from python, durable, course, bulk, bulk-cbor");
    }

    String label(int batch) {
      return bulk() ? label.replace("K", Integer.toString(batch)) : label;
    }

    /** Whether it sends bulk messages (K rows each). */
    boolean bulk() {
      return this == BULK || this == BULK_CBOR;
    }
  }

  /**
   * What to run.
   *
   * @param variants the pipelines, run in this order in every round
   * @param rounds runs of each variant
   * @param pairs pairs per run (single-row variants)
   * @param bulkPairs pairs per run of the bulk variant: it moves far more, so it needs more to time
   * @param batch rows per message of the bulk variant
   * @param drain whether to fill the queues first and time the consumers alone
   * @param rate pairs per second of the fixed-rate run after each of our runs; 0 for none
   * @param rateDuration how long that run lasts
   * @param amqpHost where RabbitMQ listens, loopback only
   * @param user the broker user (guest on a default installation)
   * @param password its password
   * @param timeout the longest a run may take before it is reported as failed
   */
  public record Plan(
      List<Variant> variants,
      int rounds,
      long pairs,
      long bulkPairs,
      int batch,
      boolean drain,
      double rate,
      Duration rateDuration,
      String amqpHost,
      String user,
      String password,
      Duration timeout) {}

  private final Plan plan;
  private final PrintStream out;
  private final BenchProcesses processes;
  private final OptionalLong broker = ProcStats.findOldest("beam.smp");

  public PipelineBench(Plan plan, PrintStream out) {
    this.plan = plan;
    this.out = out;
    this.processes = new BenchProcesses();
  }

  /** Runs every round; returns false if a run lost or duplicated rows, or failed. */
  public boolean run() throws IOException, InterruptedException {
    if (!RabbitVhosts.available()) {
      throw new IllegalStateException(
          "bench pipeline needs rabbitmqctl (run it as root or a RabbitMQ administrator) and a"
              + " RabbitMQ on this machine");
    }
    List<Variant> variants = new ArrayList<>(plan.variants());
    if (variants.contains(Variant.PYTHON)) {
      String missing = processes.pythonMissing();
      if (missing != null) {
        out.println("bench: skipping the course's Python services: " + missing);
        variants.remove(Variant.PYTHON);
      }
    }
    out.println(BenchReport.machine(broker));
    List<RunResult> results = new ArrayList<>();
    boolean clean = true;
    for (int round = 1; round <= plan.rounds(); round++) {
      for (Variant v : variants) {
        RunResult r = runOnce(v, round);
        results.add(r);
        out.println(BenchReport.line(r, plan.batch()));
        clean &= r.ok();
      }
    }
    out.println();
    BenchReport.summary(results, plan.batch(), out);
    return clean;
  }

  /** One run of one variant: fresh vhost, fresh processes, nothing shared with the run before. */
  private RunResult runOnce(Variant v, int round) throws IOException, InterruptedException {
    String vhost = RabbitVhosts.create(plan.user());
    Path work = Files.createTempDirectory("mlqueue-bench-");
    String uri =
        "amqp://" + plan.user() + ":" + plan.password() + "@" + plan.amqpHost() + "/" + vhost;
    long pairs = v.bulk() ? plan.bulkPairs() : plan.pairs();
    try (BenchProcesses.Pipeline pipeline = processes.pipeline(v, uri, work, plan.batch())) {
      RunResult.Builder r = new RunResult.Builder(v, round, pairs, plan.drain());
      MetricLogWatch log = new MetricLogWatch(pipeline.metricLog());
      if (plan.drain()) {
        // Fill the queues, then time the consumers alone: what the workers sustain by themselves.
        pipeline.runFeatures(pairs, 0, plan.timeout());
        pipeline.startConsumers();
      } else {
        pipeline.startConsumers();
      }
      double[] before = cpu(pipeline);
      long start = System.nanoTime();
      if (!plan.drain()) {
        pipeline.startFeatures(pairs, 0);
      }
      long deadline = start + plan.timeout().toNanos();
      long firstRow = 0;
      long rows;
      while ((rows = log.rows()) < pairs && System.nanoTime() < deadline) {
        if (rows > 0 && firstRow == 0) {
          firstRow = System.nanoTime();
        }
        pipeline.sampleFeatures();
        Thread.sleep(rows == 0 ? 5 : 20);
      }
      long end = System.nanoTime();
      double[] after = cpu(pipeline);
      r.timed(rows, plan.drain() && firstRow > 0 ? end - firstRow : end - start);
      r.cpu(
          after[0] - before[0], after[1] - before[1], pipeline.featuresCpu(), after[2] - before[2]);
      r.memory(
          ProcStats.peakRssMib(pipeline.modelPid()),
          ProcStats.peakRssMib(pipeline.metricPid()),
          pipeline.featuresPeakRss());
      pipeline.awaitFeatures(Duration.ofSeconds(30));
      Thread.sleep(500); // a duplicate would be written by now
      r.check(log.check());
      if (plan.rate() > 0 && v != Variant.PYTHON && rows >= pairs) {
        r.delays(pipeline.fixedRateDelays(plan.rate(), plan.rateDuration(), log));
      }
      return r.build();
    } finally {
      RabbitVhosts.delete(vhost);
      deleteQuietly(work);
    }
  }

  /** CPU seconds so far of model, metric and the broker. */
  private double[] cpu(BenchProcesses.Pipeline pipeline) {
    return new double[] {
      ProcStats.cpuSeconds(pipeline.modelPid()),
      ProcStats.cpuSeconds(pipeline.metricPid()),
      broker.isPresent() ? ProcStats.cpuSeconds(broker.getAsLong()) : Double.NaN
    };
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; the system cleans it eventually
    }
  }

  static String fmt(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
