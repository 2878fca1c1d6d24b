package io.mlqueue.features;

import java.time.Duration;

/**
 * How fast {@code features} sends: one pair every {@code interval}, or as fast as the broker takes
 * them ({@link #UNLIMITED}).
 */
public record Pace(Duration interval) {
  public static final Pace UNLIMITED = new Pace(Duration.ZERO);

  public Pace {
    if (interval.isNegative()) {
      throw new IllegalArgumentException("the interval must not be negative, was " + interval);
    }
  }

  public static Pace every(Duration interval) {
    return new Pace(interval);
  }

  /** {@code perSecond} pairs a second. */
  public static Pace rate(double perSecond) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("--rate must be a positive number, was " + perSecond);
    }
    return new Pace(Duration.ofNanos(Math.max(1, Math.round(1e9 / perSecond))));
  }

  public boolean unlimited() {
    return interval.isZero();
  }

  @Override
  public String toString() {
    return unlimited() ? "as fast as possible" : "one pair every " + interval;
  }
}
