package io.mlqueue.plot;

import io.mlqueue.stats.compare.TTest;
import java.util.Optional;

/**
 * Paired differences (one model's loss minus another's on the same id) in one time window, kept as
 * count, mean and sum of squared deviations (Welford's), which merge across windows into the paired
 * t test of their mean. Not thread-safe: {@link ModelWindows} holds its lock.
 */
final class DifferenceSums {

  long window = Long.MIN_VALUE; // index of the window these sums are for
  private long count;
  private double mean;
  private double deviations;

  void reset(long index) {
    window = index;
    count = 0;
    mean = 0;
    deviations = 0;
  }

  void add(double difference) {
    count++;
    double delta = difference - mean;
    mean += delta / count;
    deviations += delta * (difference - mean);
  }

  void merge(DifferenceSums other) {
    if (other.count == 0) {
      return;
    }
    long n = count + other.count;
    double delta = other.mean - mean;
    deviations += other.deviations + delta * delta * count * other.count / n;
    mean += delta * other.count / n;
    count = n;
  }

  long count() {
    return count;
  }

  /** The paired t test of the mean difference at {@code confidence}; empty under two pairs. */
  Optional<TTest> test(double confidence) {
    if (count < 2) {
      return Optional.empty();
    }
    return Optional.of(
        TTest.paired(count, mean, Math.max(0, deviations / (count - 1)), confidence));
  }
}
