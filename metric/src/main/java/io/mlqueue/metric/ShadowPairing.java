package io.mlqueue.metric;

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
 * Pairs the predictions of models other than the champion ({@code y_pred_shadow}: a challenger in
 * shadow, the gateway's answers) with the true answers, by (id, model). Unlike {@link
 * PairingBuffer}, one truth pairs with any number of predictions, so truths are remembered after
 * they paired: for up to {@code maxAge} and {@code maxTruths} ids, whichever is reached first. A
 * prediction whose truth is not known yet waits, and is evicted as an orphan after {@code maxAge}.
 *
 * <p>Ids are compared by their text, as in the log files. Not thread-safe: call every method from
 * one thread or under one lock.
 *
 * @param <H> the caller's handle of a waiting prediction (the service's delivery row)
 */
public final class ShadowPairing<H> {

  /** A prediction and its truth, ready for {@code model_log.csv}. */
  public record Match<H>(String id, String model, double yTrue, double yPred, H handle) {}

  /** A prediction whose truth did not come within the maximum age. */
  public record Expired<H>(String id, String model, H handle, Duration age) {}

  private record Truth(double value, Instant at) {}

  private record Waiting<H>(String model, double yPred, H handle, Instant at) {}

  private final int maxTruths;
  private final Duration maxAge;
  private final InstantSource clock;
  // Both in arrival order, so the oldest expire first.
  private final LinkedHashMap<String, Truth> truths = new LinkedHashMap<>();
  private final LinkedHashMap<String, List<Waiting<H>>> waiting = new LinkedHashMap<>();
  private int waitingCount;

  public ShadowPairing(int maxTruths, Duration maxAge, InstantSource clock) {
    if (maxTruths < 1) {
      throw new IllegalArgumentException("maxTruths must be at least 1: " + maxTruths);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
    }
    this.maxTruths = maxTruths;
    this.maxAge = maxAge;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Remembers the truth of {@code id} and returns the predictions that were waiting for it. A
   * second truth for an id (a redelivery) replaces the first.
   */
  public List<Match<H>> truth(String id, double yTrue) {
    Instant now = clock.instant();
    truths.remove(id); // re-inserted at the end: it is as young as its latest copy
    truths.put(id, new Truth(yTrue, now));
    if (truths.size() > maxTruths) {
      Iterator<String> oldest = truths.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    List<Waiting<H>> found = waiting.remove(id);
    if (found == null) {
      return List.of();
    }
    waitingCount -= found.size();
    List<Match<H>> matches = new ArrayList<>(found.size());
    for (Waiting<H> w : found) {
      matches.add(new Match<>(id, w.model(), yTrue, w.yPred(), w.handle()));
    }
    return matches;
  }

  /**
   * Pairs a prediction of {@code model} with its truth if known.
   *
   * @return the match, or empty when the prediction now waits for its truth
   */
  public Optional<Match<H>> prediction(String id, String model, double yPred, H handle) {
    Truth truth = truths.get(id);
    if (truth != null) {
      return Optional.of(new Match<>(id, model, truth.value(), yPred, handle));
    }
    waiting
        .computeIfAbsent(id, k -> new ArrayList<>(1))
        .add(new Waiting<>(model, yPred, handle, clock.instant()));
    waitingCount++;
    return Optional.empty();
  }

  /**
   * Forgets truths older than the maximum age and returns the predictions that waited longer than
   * it for theirs, oldest first. Call it every second or so.
   */
  public List<Expired<H>> evictExpired() {
    Instant now = clock.instant();
    Instant limit = now.minus(maxAge);
    Iterator<Truth> t = truths.values().iterator();
    while (t.hasNext() && t.next().at().isBefore(limit)) {
      t.remove();
    }
    List<Expired<H>> expired = new ArrayList<>();
    Iterator<Map.Entry<String, List<Waiting<H>>>> it = waiting.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, List<Waiting<H>>> entry = it.next();
      List<Waiting<H>> list = entry.getValue();
      if (!list.get(0).at().isBefore(limit)) {
        break; // in arrival order: the rest are younger
      }
      it.remove();
      waitingCount -= list.size();
      for (Waiting<H> w : list) {
        expired.add(
            new Expired<>(entry.getKey(), w.model(), w.handle(), Duration.between(w.at(), now)));
      }
    }
    return expired;
  }

  /** Forgets the waiting predictions (their channel went down) and returns their handles. */
  public List<H> drainWaiting() {
    List<H> handles = new ArrayList<>(waitingCount);
    for (List<Waiting<H>> list : waiting.values()) {
      for (Waiting<H> w : list) {
        handles.add(w.handle());
      }
    }
    waiting.clear();
    waitingCount = 0;
    return handles;
  }

  /** Predictions waiting for their truth. */
  public int waitingCount() {
    return waitingCount;
  }

  /** Ids whose truth is remembered. */
  public int truthCount() {
    return truths.size();
  }
}
