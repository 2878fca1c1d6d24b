package io.mlqueue.metric;

import java.util.LinkedHashSet;
import java.util.Objects;

/**
 * The ids most recently written to {@code metric_log.csv}, so that a redelivered message never
 * produces a second row. Bounded: once full, adding an id forgets the one added longest ago.
 *
 * <p>The bound is a trade-off. A redelivery of an id older than the last {@code capacity} ids would
 * be written a second time; with the default capacity that is over 100 days of the course's
 * traffic, while a redelivery normally comes within seconds of a reconnect. The cost is memory: at
 * the default capacity, UUID ids take roughly 130 MB of heap.
 *
 * <p>Ids are the text of a row's id column, so a numeric id {@code 1} and a string id {@code "1"}
 * count as the same id here (the CSV cannot tell them apart either). Not thread-safe.
 */
public final class WrittenIds {
  /** One million ids. */
  public static final int DEFAULT_CAPACITY = 1_000_000;

  private final int capacity;
  private final LinkedHashSet<String> ids = new LinkedHashSet<>();

  /** An empty set that remembers at most {@code capacity} ids. */
  public WrittenIds(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
  }

  /** Whether {@code id} is among the remembered ids. */
  public boolean contains(String id) {
    return ids.contains(id);
  }

  /**
   * Remembers {@code id}, forgetting the oldest id if the set is full. Returns false if it was
   * already remembered (its place in the eviction order does not change then).
   */
  public boolean add(String id) {
    Objects.requireNonNull(id, "id");
    if (!ids.add(id)) {
      return false;
    }
    if (ids.size() > capacity) {
      ids.removeFirst();
    }
    return true;
  }

  /** How many ids are remembered. */
  public int size() {
    return ids.size();
  }

  /** The most ids this set remembers. */
  public int capacity() {
    return capacity;
  }
}
