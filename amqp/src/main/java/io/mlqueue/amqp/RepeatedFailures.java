package io.mlqueue.amqp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tells a poison message from an outage. A handler that throws for one message while the messages
 * around it go through has met a message it cannot take (a bug, or a model that fails on that one
 * input): retrying it forever would cost the consumer a pause on every round through its prefetch
 * window. A handler that throws for every message has met a failing side effect (a full disk): then
 * every message must wait, and none may be given up.
 *
 * <p>So a failure counts against a message only when some other message succeeded since its last
 * failure: a message that fails "alone" this way {@code maxAttempts} times is a poison message. In
 * an outage nothing succeeds between the failures, and no count grows.
 *
 * <p>Messages are told apart by a 64-bit hash of the body; the consumer's own ids are in the body,
 * and the broker's redelivery keeps it byte for byte. Only the most recent failures are remembered.
 * One instance per consumer, used from its delivery thread only.
 */
final class RepeatedFailures {
  /** Messages failing at the same time that are remembered; older entries are dropped. */
  static final int REMEMBERED = 4_096;

  private static final class Failing {
    int alone;
    long successesAtLastFailure;
  }

  private final int maxAttempts;
  private long successes;
  private final Map<Long, Failing> failing =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Failing> eldest) {
          return size() > REMEMBERED;
        }
      };

  /**
   * @param maxAttempts failures "alone" after which a message is poison; 0 never gives up
   */
  RepeatedFailures(int maxAttempts) {
    if (maxAttempts < 0) {
      throw new IllegalArgumentException(
          "--poison-attempts must be 0 (never) or more, was " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
  }

  /** A message was handled. */
  void succeeded() {
    successes++;
  }

  /**
   * The message with {@code body} failed. Returns how many times it has now failed alone (at least
   * 1: the first failure always counts).
   */
  int failed(byte[] body) {
    long key = hash(body);
    Failing e = failing.get(key);
    if (e == null) {
      e = new Failing();
      e.alone = 1;
      failing.put(key, e);
    } else if (successes > e.successesAtLastFailure) {
      e.alone++;
    }
    e.successesAtLastFailure = successes;
    return e.alone;
  }

  /** Whether a message that has failed alone {@code alone} times is to be given up. */
  boolean isPoison(int alone) {
    return maxAttempts > 0 && alone >= maxAttempts;
  }

  /** Forgets {@code body}'s failures (it was dead-lettered or finally went through). */
  void forget(byte[] body) {
    failing.remove(hash(body));
  }

  /** Whether any message is remembered as failing; a cheap check before hashing a success. */
  boolean anyFailing() {
    return !failing.isEmpty();
  }

  int maxAttempts() {
    return maxAttempts;
  }

  /** FNV-1a, 64 bits, with the length mixed in: cheap, and collisions only merge two counts. */
  static long hash(byte[] body) {
    long h = 0xcbf29ce484222325L ^ body.length;
    for (byte b : body) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
