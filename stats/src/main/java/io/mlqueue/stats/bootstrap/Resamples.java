package io.mlqueue.stats.bootstrap;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Where resamples come from: each call fills {@code counts} with how many times each of the
 * sample's observations is drawn (with replacement, as many draws as observations).
 */
@FunctionalInterface
public interface Resamples {

  void next(int[] counts);

  /**
   * Draws from a {@link SplittableRandom} seeded with {@code seed}: the same seed gives the same
   * resamples, and so the same intervals, on every machine and Java version.
   */
  static Resamples seeded(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return counts -> {
      Arrays.fill(counts, 0);
      int n = counts.length;
      for (int i = 0; i < n; i++) {
        counts[random.nextInt(n)]++;
      }
    };
  }

  /**
   * Replays given resamples, each a row of observation indices (as {@code numpy.random.choice}
   * draws them): for checking the interval arithmetic against an independent computation on the
   * very same resamples.
   */
  static Resamples fixed(int[][] indices) {
    int[] next = {0};
    return counts -> {
      if (next[0] >= indices.length) {
        throw new IllegalStateException("only " + indices.length + " fixed resamples");
      }
      int[] row = indices[next[0]++];
      if (row.length != counts.length) {
        throw new IllegalArgumentException(
            "a fixed resample has " + row.length + " draws for " + counts.length + " observations");
      }
      Arrays.fill(counts, 0);
      for (int i : row) {
        counts[i]++;
      }
    };
  }
}
