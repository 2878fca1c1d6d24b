package io.mlqueue.app.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A bounded HTTP load generator for the gateway, in two modes.
 *
 * <ul>
 *   <li>Closed loop ({@code rate} 0): {@code concurrency} connections, each sending its next request
 *       when the previous answer is in — the most the server does at that concurrency.
 *   <li>Open loop ({@code rate} &gt; 0): requests start on a fixed schedule whatever the answers do,
 *       and latency is counted from when each request was due, not from when it was sent, so a stall
 *       shows in the percentiles instead of hiding (no coordinated omission). {@code concurrency}
 *       caps the requests in flight.
 * </ul>
 *
 * Latencies go into an HdrHistogram (1 µs to 60 s, 3 significant digits). Everything stops after
 * {@code warmup + duration}; the warm-up is not recorded.
 */
public final class HttpLoad {
  /** What to send, and how hard. */
  public record Plan(
      URI url, byte[] body, int concurrency, double rate, Duration warmup, Duration duration) {
    public Plan {
      Objects.requireNonNull(url, "url");
      if (concurrency < 1 || concurrency > 10_000) {
        throw new IllegalArgumentException("--concurrency must be 1 to 10000, was " + concurrency);
      }
      if (rate < 0) {
        throw new IllegalArgumentException("--rate must not be negative, was " + rate);
      }
      if (duration.isZero() || duration.isNegative() || duration.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("--duration must be above 0 and at most 10m, was " + duration);
      }
    }
  }

  /** What was measured. */
  public record Result(
      long requests, long failures, Map<Integer, Long> byStatus, Duration elapsed, Histogram latency) {
    public double throughput() {
      return requests / (elapsed.toNanos() / 1e9);
    }

    public double percentileMillis(double p) {
      return latency.getValueAtPercentile(p) / 1_000.0;
    }
  }

  private final Plan plan;
  private final HttpClient client;
  private final HttpRequest request; // immutable: one for every send
  private final Recorder recorder = new Recorder(60_000_000L, 3);
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Map<Integer, Long> byStatus = new ConcurrentHashMap<>();
  private volatile boolean recording;

  public HttpLoad(Plan plan) {
    this.plan = plan;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    this.request =
        HttpRequest.newBuilder(plan.url())
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(plan.body()))
            .build();
  }

  public Result run() throws InterruptedException {
    long end = System.nanoTime() + plan.warmup().toNanos() + plan.duration().toNanos();
    ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    Thread warmupEnd =
        Thread.ofVirtual().start(() -> {
          sleepUntil(System.nanoTime() + plan.warmup().toNanos());
          recorder.reset();
          requests.set(0);
          failures.set(0);
          byStatus.clear();
          recording = true;
        });
    long measureStart = System.nanoTime() + plan.warmup().toNanos();
    if (plan.rate() == 0) {
      for (int i = 0; i < plan.concurrency(); i++) {
        workers.submit(() -> {
          while (System.nanoTime() < end) {
            long start = System.nanoTime();
            send(start);
          }
        });
      }
    } else {
      openLoop(end); // schedules the sends on this thread until the end
    }
    workers.shutdown();
    workers.awaitTermination(plan.warmup().toMillis() + plan.duration().toMillis() + 30_000,
        TimeUnit.MILLISECONDS);
    warmupEnd.join();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - measureStart);
    return new Result(requests.get(), failures.get(), Map.copyOf(byStatus), elapsed,
        recorder.getIntervalHistogram());
  }

  private void openLoop(long end) {
    Semaphore inFlight = new Semaphore(plan.concurrency());
    long interval = Math.round(1e9 / plan.rate());
    long due = System.nanoTime();
    while (due < end) {
      sleepUntil(due);
      long intended = due;
      if (!inFlight.tryAcquire()) {
        // Over the cap: the server is this far behind; count the request as failed at its due time.
        failures.incrementAndGet();
        byStatus.merge(-1, 1L, Long::sum);
      } else {
        // Asynchronous: no thread per request, so the generator itself stays light.
        client
            .sendAsync(request, HttpResponse.BodyHandlers.discarding())
            .whenComplete(
                (response, error) -> {
                  inFlight.release();
                  record(intended, error == null ? response.statusCode() : -1);
                });
      }
      due += interval;
    }
    try {
      inFlight.tryAcquire(plan.concurrency(), 30, TimeUnit.SECONDS); // the last answers
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(long intendedStart) {
    int status;
    try {
      status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      status = -1;
    }
    record(intendedStart, status);
  }

  private void record(long intendedStart, int status) {
    long latencyMicros = (System.nanoTime() - intendedStart) / 1_000;
    if (!recording) {
      return;
    }
    requests.incrementAndGet();
    byStatus.merge(status, 1L, Long::sum);
    if (status != 200) {
      failures.incrementAndGet();
    }
    recorder.recordValue(Math.min(latencyMicros, 60_000_000L));
  }

  private static void sleepUntil(long deadline) {
    long wait;
    while ((wait = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
