package io.mlqueue.features;

import io.mlqueue.data.Dataset;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What {@code features} sends and how fast.
 *
 * @param data the rows to draw from, uniformly at random, every row possible
 * @param count pairs to send before stopping; 0 sends until stopped
 * @param pace how fast
 * @param seed the random seed for a repeatable sequence of rows; empty for a different one each run.
 *     Ids are always fresh UUIDs, so two runs with one seed never collide in {@code metric}.
 * @param window messages in flight (sent, not yet confirmed) at most: bounds memory when the broker
 *     is slow, and is the producer's back-pressure
 */
public record FeaturesConfig(Dataset data, long count, Pace pace, OptionalLong seed, int window) {
  public static final int DEFAULT_WINDOW = 2_000;

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
  }
}
