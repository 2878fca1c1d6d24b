package io.mlqueue.features;

import io.mlqueue.contract.WireFormat;
import io.mlqueue.data.Dataset;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What {@code features} sends and how fast.
 *
 * @param data the rows to draw from, uniformly at random, every row possible
 * @param count pairs to send before stopping; 0 sends until stopped
 * @param pace how fast
 * @param seed the random seed for a repeatable sequence of rows; empty for a different one each
 *     run. Ids are always fresh UUIDs, so two runs with one seed never collide in {@code metric}.
 * @param window messages in flight (sent, not yet confirmed) at most: bounds memory when the broker
 *     is slow, and is the producer's back-pressure
 * @param batch rows per message: 1 sends the course's single-row messages; more sends bulk messages
 *     (lists of ids and rows, docs/CONTRACT.md), which our model and metric take and the course's
 *     services do not
 * @param shifts controlled drifts added to the features sent (see {@link Shift}); none by default
 * @param encoding how messages are written: JSON (the course's, the default) or CBOR, the same
 *     objects in binary, which our model answers in kind and metric reads, and the course's
 *     services do not
 */
public record FeaturesConfig(
    Dataset data,
    long count,
    Pace pace,
    OptionalLong seed,
    int window,
    int batch,
    List<Shift> shifts,
    WireFormat encoding) {
  public static final int DEFAULT_WINDOW = 2_000;

  /** The most rows a bulk message carries: about 250 KB of JSON, far below any message limit. */
  public static final int MAX_BATCH = 1_000;

  public FeaturesConfig {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(pace, "pace");
    Objects.requireNonNull(seed, "seed");
    if (count < 0) {
      throw new IllegalArgumentException("--count must not be negative, was " + count);
    }
    if (window < 2) {
      throw new IllegalArgumentException("the publish window must be at least 2, was " + window);
    }
    if (batch < 1 || batch > MAX_BATCH) {
      throw new IllegalArgumentException(
          "--batch must be 1 (single-row messages) to " + MAX_BATCH + ", was " + batch);
    }
    shifts = List.copyOf(shifts);
    Objects.requireNonNull(encoding, "encoding");
  }

  /** JSON messages. */
  public FeaturesConfig(
      Dataset data,
      long count,
      Pace pace,
      OptionalLong seed,
      int window,
      int batch,
      List<Shift> shifts) {
    this(data, count, pace, seed, window, batch, shifts, WireFormat.JSON);
  }

  /** No shift. */
  public FeaturesConfig(
      Dataset data, long count, Pace pace, OptionalLong seed, int window, int batch) {
    this(data, count, pace, seed, window, batch, List.of());
  }

  /** Single-row messages, as the course sends. */
  public FeaturesConfig(Dataset data, long count, Pace pace, OptionalLong seed, int window) {
    this(data, count, pace, seed, window, 1);
  }

  /** Whether messages carry several rows each. */
  public boolean bulk() {
    return batch > 1;
  }
}
