package io.mlqueue.app.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.amqp.Failures;
import io.mlqueue.plot.PipelineFeed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's pipeline panel: the queues' depths and consumers, and the delay of the last
 * minute's pairs, sampled every {@code every} on a thread of its own so that a page load costs no
 * broker round trip. Format in docs/MONITORING.md.
 */
public final class PipelineBoard implements PipelineFeed, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PipelineBoard.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where the delay histogram comes from; empty while it has none. */
  @FunctionalInterface
  public interface DelaySource {
    Optional<DelayHistogram> read() throws Exception;
  }

  private record Sample(Instant at, DelayHistogram histogram) {}

  private final Optional<QueueDepths> queues;
  private final Optional<DelaySource> delay;
  private final Clock clock;
  private final Duration every;
  private final Duration window;
  private final Deque<Sample> delays = new ArrayDeque<>(); // sampling thread only
  private final ScheduledExecutorService sampler;
  private volatile byte[] json = NONE.json();

  /**
   * Starts sampling.
   *
   * @param queues the queues to watch, empty when there is no broker to ask
   * @param delay the delay histogram's source, empty when there is none
   * @param every how often to sample
   * @param window the span of the delay distribution shown
   */
  public static PipelineBoard start(
      Optional<QueueDepths> queues,
      Optional<DelaySource> delay,
      Clock clock,
      Duration every,
      Duration window) {
    PipelineBoard board = new PipelineBoard(queues, delay, clock, every, window);
    board.sampler.scheduleWithFixedDelay(
        board::sampleQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return board;
  }

  private PipelineBoard(
      Optional<QueueDepths> queues,
      Optional<DelaySource> delay,
      Clock clock,
      Duration every,
      Duration window) {
    this.queues = queues;
    this.delay = delay;
    this.clock = clock;
    this.every = every;
    this.window = window;
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pipeline-board").daemon().factory());
  }

  @Override
  public byte[] json() {
    return json.clone();
  }

  private void sampleQuietly() {
    try {
      json = sample();
    } catch (RuntimeException e) {
      log.debug("pipeline panel: sampling failed", e);
    }
  }

  /** One sample of everything, as the panel's JSON. */
  byte[] sample() {
    Instant now = clock.instant();
    ObjectNode root = JSON.createObjectNode();
    root.put("available", true);
    root.put("sampledAt", now.toString());
    root.put("everySeconds", every.toMillis() / 1000.0);
    ObjectNode q = root.putObject("queues");
    if (queues.isEmpty()) {
      q.put("available", false);
    } else {
      try {
        List<QueueDepths.Queue> all = queues.get().sample(now);
        q.put("available", true);
        q.put("via", queues.get().via());
        ArrayNode items = q.putArray("items");
        for (QueueDepths.Queue queue : all) {
          ObjectNode o = items.addObject();
          o.put("name", queue.name());
          o.put("exists", queue.exists());
          o.put("depth", queue.depth());
          o.put("consumers", queue.consumers());
          ArrayNode d = o.putArray("depths");
          queue.depths().forEach(d::add);
        }
      } catch (Exception e) {
        q.put("available", false);
        q.put("error", Failures.message(e));
      }
    }
    ObjectNode d = root.putObject("delay");
    d.put("windowSeconds", window.toSeconds());
    if (delay.isEmpty()) {
      d.put("available", false);
    } else {
      try {
        delay(d, delay.get().read(), now);
      } catch (Exception e) {
        d.put("available", false);
        d.put("error", Failures.message(e));
      }
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void delay(ObjectNode d, Optional<DelayHistogram> read, Instant now) {
    if (read.isEmpty()) {
      d.put("available", false);
      d.put("error", "no pair logged yet");
      return;
    }
    DelayHistogram current = read.get();
    delays.addLast(new Sample(now, current));
    // The oldest sample within the window is the baseline; older ones are no longer needed.
    while (delays.size() > 1
        && Duration.between(delays.getFirst().at(), now).compareTo(window) > 0) {
      delays.removeFirst();
    }
    DelayHistogram baseline =
        delays.size() > 1 ? delays.getFirst().histogram() : new DelayHistogram(new TreeMap<>());
    TreeMap<Double, Double> counts = current.since(baseline);
    double pairs = counts.values().stream().mapToDouble(Double::doubleValue).sum();
    d.put("available", true);
    d.put("total", current.total());
    d.put("pairs", pairs);
    d.put("from", delays.size() > 1 ? delays.getFirst().at().toString() : null);
    for (double p : new double[] {0.5, 0.95, 0.99}) {
      double bound = DelayHistogram.quantileBound(counts, p);
      String key = "p" + (int) Math.round(p * 100);
      if (Double.isFinite(bound)) {
        d.put(key, bound);
      } else {
        d.putNull(key); // NaN without pairs, +Inf beyond the last bound
      }
    }
    // The buckets from the first to the last that holds a pair: the bars of the chart.
    ArrayNode buckets = d.putArray("buckets");
    Double first = null;
    Double last = null;
    for (Map.Entry<Double, Double> b : counts.entrySet()) {
      if (b.getValue() > 0) {
        first = first == null ? b.getKey() : first;
        last = b.getKey();
      }
    }
    if (first != null) {
      for (Map.Entry<Double, Double> b : counts.subMap(first, true, last, true).entrySet()) {
        ObjectNode o = buckets.addObject();
        if (Double.isInfinite(b.getKey())) {
          o.putNull("le");
        } else {
          o.put("le", b.getKey());
        }
        o.put("count", b.getValue());
      }
    }
  }

  /** Stops sampling and closes the queues' connection. */
  @Override
  public void close() {
    sampler.shutdownNow();
    try {
      sampler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queues.ifPresent(QueueDepths::close);
  }
}
