package io.mlqueue.app.bench;

import static io.mlqueue.app.bench.PipelineBench.fmt;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.ToDoubleFunction;

/** The benchmark's words: one line per run, then the medians side by side. */
final class BenchReport {
  private BenchReport() {}

  static String machine(OptionalLong broker) {
    return fmt(
        "bench: %d cores, %s; Java %s; RabbitMQ node %s",
        Runtime.getRuntime().availableProcessors(),
        memory(),
        Runtime.version(),
        broker.isPresent() ? "pid " + broker.getAsLong() : "not found (no broker CPU figures)");
  }

  private static String memory() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          double kib = Double.parseDouble(line.replaceAll("[^0-9]", ""));
          return fmt("%.0f GiB", kib / 1024 / 1024);
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux
    }
    return "memory unknown";
  }

  static String line(RunResult r, int batch) {
    StringBuilder s =
        new StringBuilder(
            fmt(
                "%-36s run %d: %,d pairs in %.2f s = %,.0f pairs/s%s",
                r.variant().label(batch),
                r.round(),
                r.rows(),
                r.seconds(),
                r.pairsPerSecond(),
                r.drained() ? " (draining a backlog, from the first row)" : ""));
    s.append(
        fmt(
            "; CPU s: model %.1f, metric %.1f, features %.1f, broker %.1f (%.3f ms/pair)",
            r.modelCpu(), r.metricCpu(), r.featuresCpu(), r.brokerCpu(), r.brokerMillisPerPair()));
    s.append(
        fmt(
            "; peak RSS MiB: model %.0f, metric %.0f, features %.0f",
            r.modelRss(), r.metricRss(), r.featuresRss()));
    s.append(fmt("; lost %d, duplicated %d", r.lost(), r.duplicated()));
    if (r.rows() < r.pairs()) {
      s.append(fmt(" — TIMED OUT with %,d of %,d rows", r.rows(), r.pairs()));
    }
    if (r.delays() != null) {
      RunResult.FixedRateDelays d = r.delays();
      s.append(
          fmt(
              "; then %,.0f pairs/s for %,d pairs: delay %s, %s, %s",
              d.rate(), d.pairs(), d.p50(), d.p99(), d.p999()));
    }
    return s.toString();
  }

  /** Median, minimum and maximum of each variant, and its ratio to the Python pipeline's median. */
  static void summary(List<RunResult> results, int batch, PrintStream out) {
    Map<PipelineBench.Variant, List<RunResult>> by = new LinkedHashMap<>();
    for (RunResult r : results) {
      by.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r);
    }
    double python =
        by.containsKey(PipelineBench.Variant.PYTHON)
            ? median(by.get(PipelineBench.Variant.PYTHON), RunResult::pairsPerSecond)
            : Double.NaN;
    out.println("bench: medians of each variant (min-max):");
    for (Map.Entry<PipelineBench.Variant, List<RunResult>> e : by.entrySet()) {
      List<RunResult> runs = e.getValue();
      double median = median(runs, RunResult::pairsPerSecond);
      out.println(
          fmt(
              "  %-36s %,9.0f pairs/s (%,.0f-%,.0f)%s; broker %.3f ms/pair; model+metric+features CPU %.1f s; lost %d, duplicated %d",
              e.getKey().label(batch),
              median,
              min(runs, RunResult::pairsPerSecond),
              max(runs, RunResult::pairsPerSecond),
              Double.isNaN(python) ? "" : fmt(", %.1fx the Python pipeline", median / python),
              median(runs, RunResult::brokerMillisPerPair),
              median(runs, r -> r.modelCpu() + r.metricCpu() + r.featuresCpu()),
              runs.stream().mapToLong(RunResult::lost).sum(),
              runs.stream().mapToLong(RunResult::duplicated).sum()));
    }
  }

  private static double median(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
    double[] v = runs.stream().mapToDouble(f).sorted().toArray();
    return v.length == 0
        ? Double.NaN
        : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static double min(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
    return runs.stream().mapToDouble(f).min().orElse(Double.NaN);
  }

  private static double max(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
    return runs.stream().mapToDouble(f).max().orElse(Double.NaN);
  }
}
