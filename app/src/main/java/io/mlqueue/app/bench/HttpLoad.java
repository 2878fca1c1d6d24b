package io.mlqueue.app.bench;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A bounded HTTP load generator for the gateway, in two modes.
 *
 * <ul>
 *   <li>Closed loop ({@code rate} 0): {@code concurrency} connections, each sending its next
 *       request when the previous answer is in — the most the server does at that concurrency.
 *   <li>Open loop ({@code rate} &gt; 0): requests start on a fixed schedule whatever the answers
 *       do, and latency is counted from when each request was due, not from when it was sent, so a
 *       stall shows in the percentiles instead of hiding (no coordinated omission). The {@code
 *       concurrency} connections take the due requests in turn; a request due while that many are
 *       already waiting or in flight is counted as failed and not sent.
 * </ul>
 *
 * Each connection is a {@link KeepAliveConnection} on its own thread: the generator shares the
 * machine with what it measures, so it must cost little CPU.
 *
 * <p>Latencies go into an HdrHistogram (1 µs to 60 s, 3 significant digits). Everything stops after
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
      if (duration.isZero()
          || duration.isNegative()
          || duration.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "--duration must be above 0 and at most 10m, was " + duration);
      }
    }
  }

  /** What was measured. */
  public record Result(
      long requests,
      long failures,
      Map<Integer, Long> byStatus,
      Duration elapsed,
      Histogram latency) {
    public double throughput() {
      return requests / (elapsed.toNanos() / 1e9);
    }

    public double percentileMillis(double p) {
      return latency.getValueAtPercentile(p) / 1_000.0;
    }
  }

  private final Plan plan;
  private final Recorder recorder = new Recorder(60_000_000L, 3);
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong lastAnswer = new AtomicLong(Long.MIN_VALUE); // nanoTime may be negative
  private final Map<Integer, Long> byStatus = new ConcurrentHashMap<>();
  private volatile boolean recording;

  public HttpLoad(Plan plan) {
    this.plan = plan;
  }

  public Result run() throws InterruptedException {
    long start = System.nanoTime();
    long measureStart = start + plan.warmup().toNanos();
    long end = measureStart + plan.duration().toNanos();
    // Open loop: the schedule hands due times to whichever connection is free. The queue holds at
    // most `concurrency` requests, counting the ones being sent, so a request due while that many
    // are waiting or in flight is counted as failed instead of piling up without bound.
    BlockingQueue<Long> due = new ArrayBlockingQueue<>(plan.concurrency());
    AtomicInteger inFlight = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < plan.concurrency(); i++) {
      // Platform threads, one per connection: a blocking read wakes its own thread directly.
      workers.add(
          Thread.ofPlatform()
              .daemon()
              .name("bench-connection-" + i)
              .start(
                  () -> {
                    try (KeepAliveConnection connection =
                        new KeepAliveConnection(plan.url(), plan.body(), "application/json")) {
                      if (plan.rate() == 0) {
                        while (System.nanoTime() < end) {
                          long sent = System.nanoTime();
                          record(sent, exchange(connection));
                        }
                      } else {
                        Long intended;
                        while ((intended = due.poll(100, TimeUnit.MILLISECONDS)) != null
                            || System.nanoTime() < end) {
                          if (intended != null) {
                            int status = exchange(connection);
                            inFlight.decrementAndGet();
                            record(intended, status);
                          }
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    if (plan.rate() > 0) {
      openLoop(due, inFlight, measureStart, end);
    } else {
      sleepUntil(measureStart);
      startRecording();
    }
    for (Thread worker : workers) {
      worker.join(plan.duration().toMillis() + 30_000);
    }
    // Until the last answer, or the end if that came first: not the workers' idle polls after it.
    Duration elapsed = Duration.ofNanos(Math.max(end, lastAnswer.get()) - measureStart);
    return new Result(
        requests.get(),
        failures.get(),
        Map.copyOf(byStatus),
        elapsed,
        recorder.getIntervalHistogram());
  }

  private void startRecording() {
    recorder.reset();
    requests.set(0);
    failures.set(0);
    byStatus.clear();
    recording = true;
  }

  /** Hands out one due time per interval, warm-up included, until the end, on this thread. */
  private void openLoop(
      BlockingQueue<Long> due, AtomicInteger inFlight, long measureStart, long end) {
    long interval = Math.round(1e9 / plan.rate());
    long next = System.nanoTime();
    while (next < end) {
      sleepUntil(next);
      if (!recording && next >= measureStart) {
        startRecording();
      }
      if (inFlight.get() >= plan.concurrency()) {
        // Over the cap: the server is this far behind; count the request as failed, unsent.
        if (recording) {
          failures.incrementAndGet();
          byStatus.merge(-1, 1L, Long::sum);
        }
      } else {
        inFlight.incrementAndGet();
        due.add(next);
      }
      next += interval;
    }
  }

  private static int exchange(KeepAliveConnection connection) {
    try {
      return connection.exchange();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private void record(long intendedStart, int status) {
    long now = System.nanoTime();
    lastAnswer.accumulateAndGet(now, Math::max);
    long latencyMicros = (now - intendedStart) / 1_000;
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
