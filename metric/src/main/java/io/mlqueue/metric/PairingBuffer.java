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
import java.util.Optional;

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
   * @param maxPending the most halves held at once; beyond it the oldest orphans are evicted (see
   *     {@link PairingBuffer#evictOverflow})
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

  /**
   * How far the other half's stream must have moved past a half (by {@code sent_at}) before that
   * half counts as an orphan on overflow. Predictions come back out of order by a few hundred
   * messages at most (a worker's prefetch redelivered after a crash): seconds, not half a minute.
   */
  static final long ORPHAN_MARGIN_MILLIS = 30_000;

  /** How many waiting halves an overflow looks past for orphans behind them (both streams mix). */
  private static final int OVERFLOW_SCAN = 64;

  private record Pending<H>(
      Half half, double value, H handle, Instant arrivedAt, long sentAtMillis) {}

  private final Config config;
  private final InstantSource clock;
  // Insertion order is arrival order, so the first entries are the first to expire or overflow.
  private final LinkedHashMap<MessageId, Pending<H>> pending = new LinkedHashMap<>();
  private long pairedCount;
  private long duplicateCount;
  private long expiredCount;
  private long overflowCount;
  // The latest sent_at seen on each stream: how far y_true and y_pred have got.
  private long latestTrueSentAt;
  private long latestPredSentAt;

  /** A buffer with the given limits that reads arrival times from {@code clock}. */
  public PairingBuffer(Config config, InstantSource clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Offers a true answer (from {@code y_true}) whose pair was sent at an unknown time. */
  public OfferResult<H> offerTrue(MessageId id, double value, H handle) {
    return offer(Half.TRUE, id, value, handle, 0);
  }

  /** Offers a prediction (from {@code y_pred}) whose pair was sent at an unknown time. */
  public OfferResult<H> offerPred(MessageId id, double value, H handle) {
    return offer(Half.PRED, id, value, handle, 0);
  }

  /**
   * Offers a half whose pair features sent at {@code sentAtMillis} (its {@code sent_at}; 0 when the
   * message did not say, as the course's services do not).
   */
  public OfferResult<H> offer(Half half, MessageId id, double value, H handle, long sentAtMillis) {
    Objects.requireNonNull(half, "half");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(handle, "handle");
    Instant now = clock.instant();
    if (half == Half.TRUE) {
      latestTrueSentAt = Math.max(latestTrueSentAt, sentAtMillis);
    } else {
      latestPredSentAt = Math.max(latestPredSentAt, sentAtMillis);
    }
    Pending<H> waiting = pending.get(id);
    if (waiting == null) {
      pending.put(id, new Pending<>(half, value, handle, now, sentAtMillis));
      return new OfferResult.Waiting<>(evictOverflow(now));
    }
    if (waiting.half() == half) {
      // Replacing the value of an existing key keeps its place in the arrival order.
      pending.put(
          id, new Pending<>(half, value, handle, waiting.arrivedAt(), waiting.sentAtMillis()));
      duplicateCount++;
      return new OfferResult.Duplicate<>(id, half, waiting.handle());
    }
    pending.remove(id);
    pairedCount++;
    long sentAt = Math.max(sentAtMillis, waiting.sentAtMillis());
    Pair<H> pair =
        half == Half.TRUE
            ? new Pair<>(id, value, waiting.value(), handle, waiting.handle(), sentAt)
            : new Pair<>(id, waiting.value(), value, waiting.handle(), handle, sentAt);
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
   * Takes out the half waiting under {@code id}, if any, and returns its handle: for a pair whose
   * row turned out to be in the log already (a failed write can leave complete rows behind before
   * the service learns which), so the waiting half is settled instead of waiting for a partner that
   * will not come again.
   */
  public Optional<H> remove(MessageId id) {
    Pending<H> p = pending.remove(id);
    return p == null ? Optional.empty() : Optional.of(p.handle());
  }

  /** Forgets every pending half and returns their handles, oldest first. */
  public List<H> drain() {
    List<H> handles = new ArrayList<>(pending.size());
    for (Pending<H> p : pending.values()) {
      handles.add(p.handle());
    }
    pending.clear();
    return handles;
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

  /**
   * Over {@code maxPending}, evicts the oldest halves that are orphans, as far as can be told.
   *
   * <p>A half whose message carries {@code sent_at} is evicted only once the other stream has moved
   * {@link #ORPHAN_MARGIN_MILLIS} past it: its partner is then not late but missing (its feature
   * vector was dead-lettered, say). A half that is merely waiting — {@code y_true} runs far ahead
   * of {@code y_pred} while a model works off a backlog — stays, however many wait: the broker's
   * prefetch (one more than {@code maxPending} per queue) still bounds them, and evicting them
   * would dead-letter good pairs by the thousand. A half without {@code sent_at} (the course's
   * messages) gives no such evidence, and the oldest is evicted as before.
   */
  private List<Orphan<H>> evictOverflow(Instant now) {
    if (pending.size() <= config.maxPending()) {
      return List.of();
    }
    List<Orphan<H>> evicted = new ArrayList<>();
    Iterator<Map.Entry<MessageId, Pending<H>>> it = pending.entrySet().iterator();
    int kept = 0;
    while (pending.size() > config.maxPending() && it.hasNext()) {
      Map.Entry<MessageId, Pending<H>> eldest = it.next();
      Pending<H> p = eldest.getValue();
      if (p.sentAtMillis() != 0 && !overtaken(p)) {
        // Arrival order follows sending order, so once the oldest few are merely waiting, the
        // younger ones behind them are too: stop looking (this runs on every offer while full).
        if (++kept == OVERFLOW_SCAN) {
          break;
        }
        continue;
      }
      it.remove();
      evicted.add(orphan(eldest, ageOf(p, now), Orphan.Reason.OVERFLOW));
    }
    overflowCount += evicted.size();
    return evicted;
  }

  /** Whether the other half's stream has moved well past {@code p}: its partner is not coming. */
  private boolean overtaken(Pending<H> p) {
    long other = p.half() == Half.TRUE ? latestPredSentAt : latestTrueSentAt;
    return other != 0 && p.sentAtMillis() < other - ORPHAN_MARGIN_MILLIS;
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
