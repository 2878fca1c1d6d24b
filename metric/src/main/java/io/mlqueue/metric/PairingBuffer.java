package io.mlqueue.metric;

import io.mlqueue.contract.MessageId;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Holds the halves of pairs whose other half has not arrived yet, keyed by {@link MessageId}, so
 * {@code y_true} and {@code y_pred} pair up in either order and any number of ids can be in flight
 * at once. Memory is bounded by a maximum count and a maximum age; evicted halves come back as
 * {@link Orphan}s so the service can dead-letter them instead of losing them.
 *
 * <p>Ids are compared as whole {@link MessageId}s: the string {@code "1"} and the number {@code 1}
 * do not pair with each other.
 *
 * <p>The buffer does not know which ids were already written; the service checks {@link
 * MetricLogWriter#isWritten} before offering, otherwise a redelivered half of a finished pair would
 * wait here until it expires.
 *
 * <p>Not thread-safe: call every method, including the periodic {@link #evictExpired}, from one
 * thread or under one lock.
 *
 * @param <H> the caller's opaque handle type (the service uses its AMQP delivery)
 */
public final class PairingBuffer<H> {

  /**
   * Limits of a {@link PairingBuffer}.
   *
   * @param maxPending the most halves held at once; beyond it the oldest is evicted
   * @param maxAge how long a half may wait for its other half before {@link #evictExpired} evicts
   *     it
   */
  public record Config(int maxPending, Duration maxAge) {
    /** 100,000 pending halves and 10 minutes: far above the course's one pair every 10 s. */
    public static final Config DEFAULT = new Config(100_000, Duration.ofMinutes(10));

    public Config {
      if (maxPending < 1) {
        throw new IllegalArgumentException("maxPending must be at least 1: " + maxPending);
      }
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
      }
    }
  }

  private record Pending<H>(Half half, double value, H handle, Instant arrivedAt) {}

  private final Config config;
  private final InstantSource clock;
  // Insertion order is arrival order, so the first entries are the first to expire or overflow.
  private final LinkedHashMap<MessageId, Pending<H>> pending = new LinkedHashMap<>();
  private long pairedCount;
  private long duplicateCount;
  private long expiredCount;
  private long overflowCount;

  /** A buffer with the given limits that reads arrival times from {@code clock}. */
  public PairingBuffer(Config config, InstantSource clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Offers a true answer (from {@code y_true}). */
  public OfferResult<H> offerTrue(MessageId id, double value, H handle) {
    return offer(Half.TRUE, id, value, handle);
  }

  /** Offers a prediction (from {@code y_pred}). */
  public OfferResult<H> offerPred(MessageId id, double value, H handle) {
    return offer(Half.PRED, id, value, handle);
  }

  private OfferResult<H> offer(Half half, MessageId id, double value, H handle) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(handle, "handle");
    Instant now = clock.instant();
    Pending<H> waiting = pending.get(id);
    if (waiting == null) {
      pending.put(id, new Pending<>(half, value, handle, now));
      return new OfferResult.Waiting<>(evictOverflow(now));
    }
    if (waiting.half() == half) {
      // Replacing the value of an existing key keeps its place in the arrival order.
      pending.put(id, new Pending<>(half, value, handle, waiting.arrivedAt()));
      duplicateCount++;
      return new OfferResult.Duplicate<>(id, half, waiting.handle());
    }
    pending.remove(id);
    pairedCount++;
    Pair<H> pair =
        half == Half.TRUE
            ? new Pair<>(id, value, waiting.value(), handle, waiting.handle())
            : new Pair<>(id, waiting.value(), value, waiting.handle(), handle);
    return new OfferResult.Paired<>(pair);
  }

  /**
   * Evicts every half that has waited longer than the maximum age, oldest first. Call it
   * periodically (every few seconds is plenty): it is the only way an id whose other half never
   * comes leaves the buffer while traffic is low.
   */
  public List<Orphan<H>> evictExpired() {
    Instant now = clock.instant();
    List<Orphan<H>> evicted = new ArrayList<>();
    Iterator<Map.Entry<MessageId, Pending<H>>> it = pending.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<MessageId, Pending<H>> entry = it.next();
      Duration age = ageOf(entry.getValue(), now);
      // Entries are in arrival order, so all later ones are younger still.
      if (age.compareTo(config.maxAge()) <= 0) {
        break;
      }
      it.remove();
      evicted.add(orphan(entry, age, Orphan.Reason.EXPIRED));
    }
    expiredCount += evicted.size();
    return evicted;
  }

  /**
   * Forgets every pending half and returns how many there were. For when the connection is lost:
   * the handles died with their channel and the broker redelivers all those messages anyway.
   */
  public int clear() {
    int dropped = pending.size();
    pending.clear();
    return dropped;
  }

  private List<Orphan<H>> evictOverflow(Instant now) {
    if (pending.size() <= config.maxPending()) {
      return List.of();
    }
    List<Orphan<H>> evicted = new ArrayList<>();
    Iterator<Map.Entry<MessageId, Pending<H>>> it = pending.entrySet().iterator();
    while (pending.size() > config.maxPending()) {
      Map.Entry<MessageId, Pending<H>> eldest = it.next();
      it.remove();
      evicted.add(orphan(eldest, ageOf(eldest.getValue(), now), Orphan.Reason.OVERFLOW));
    }
    overflowCount += evicted.size();
    return evicted;
  }

  private static Duration ageOf(Pending<?> pending, Instant now) {
    Duration age = Duration.between(pending.arrivedAt(), now);
    // A wall clock may step backwards; a negative age would make no sense to a reader.
    return age.isNegative() ? Duration.ZERO : age;
  }

  private static <H> Orphan<H> orphan(
      Map.Entry<MessageId, Pending<H>> entry, Duration age, Orphan.Reason reason) {
    Pending<H> p = entry.getValue();
    return new Orphan<>(entry.getKey(), p.half(), p.value(), p.handle(), age, reason);
  }

  /** How many halves are waiting for their other half. */
  public int pendingCount() {
    return pending.size();
  }

  /** How many pairs were completed so far. */
  public long pairedCount() {
    return pairedCount;
  }

  /** How many repeated halves were handed back as {@link OfferResult.Duplicate}. */
  public long duplicateCount() {
    return duplicateCount;
  }

  /** How many orphans {@link #evictExpired} evicted so far. */
  public long expiredCount() {
    return expiredCount;
  }

  /** How many orphans were evicted because the buffer was full. */
  public long overflowCount() {
    return overflowCount;
  }
}
