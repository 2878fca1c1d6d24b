package io.mlqueue.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples the heap of services while a test runs, from their Prometheus {@code /metrics} ({@code
 * --metrics-port}): the sum of {@code jvm_memory_used_bytes{area="heap"}} over the heap's pools,
 * every {@value #EVERY_MILLIS} ms, keeping the peak. A sample that fails (the service busy or gone)
 * is skipped; the test asserts on liveness separately.
 */
final class HeapWatch {
  private static final long EVERY_MILLIS = 200;

  /** What was seen of one service's heap. */
  record Figures(int samples, long peakHeapUsed, long lastHeapUsed, long heapMax) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "heap used peak %s, at the end %s, of max %s (%d samples)",
          mib(peakHeapUsed),
          mib(lastHeapUsed),
          mib(heapMax),
          samples);
    }
  }

  private final Map<String, Integer> ports;
  private final Map<String, Figures> figures = new TreeMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Thread thread;

  private HeapWatch(Map<String, Integer> ports) {
    this.ports = ports;
    ports.keySet().forEach(name -> figures.put(name, new Figures(0, 0, 0, 0)));
    this.thread = new Thread(this::run, "heap-watch");
    thread.setDaemon(true);
  }

  /** Starts sampling each service (name → metrics port) on 127.0.0.1. */
  static HeapWatch start(Map<String, Integer> ports) {
    HeapWatch watch = new HeapWatch(ports);
    watch.thread.start();
    return watch;
  }

  /** Stops sampling, after one last sample of each, and returns what was seen. */
  Map<String, Figures> stop() throws InterruptedException {
    running.set(false);
    thread.join(10_000);
    sampleAll();
    synchronized (figures) {
      return Map.copyOf(figures);
    }
  }

  private void run() {
    while (running.get()) {
      sampleAll();
      try {
        Thread.sleep(EVERY_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void sampleAll() {
    for (Map.Entry<String, Integer> e : ports.entrySet()) {
      try {
        String text =
            http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + e.getValue() + "/metrics"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        long used = sum(text, "jvm_memory_used_bytes{");
        long max = sum(text, "jvm_memory_max_bytes{");
        synchronized (figures) {
          Figures f = figures.get(e.getKey());
          figures.put(
              e.getKey(),
              new Figures(f.samples() + 1, Math.max(f.peakHeapUsed(), used), used, max));
        }
      } catch (IOException | RuntimeException ex) {
        // busy or gone: the next sample, or the liveness assertion, tells
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The sum of the heap pools' values of the metric whose lines start with {@code prefix}. */
  static long sum(String metrics, String prefix) {
    return sum(metrics, prefix, "area=\"heap\"");
  }

  /**
   * The sum of the values on the lines of Prometheus text that start with {@code prefix} and
   * contain {@code label} (empty for any), skipping negative ones (a pool without a maximum).
   */
  static long sum(String metrics, String prefix, String label) {
    double total = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix) && line.contains(label)) {
        double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        if (v > 0) { // a pool without a maximum reports -1
          total += v;
        }
      }
    }
    return (long) total;
  }

  /** The process's peak resident set size in bytes (Linux {@code VmHWM}); -1 where unknown. */
  static long peakRss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  /** A port nothing listens on now, for a service to take. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static String mib(long bytes) {
    return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
