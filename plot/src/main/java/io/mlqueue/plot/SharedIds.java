package io.mlqueue.plot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ids that two models both answered (a shadow), for {@link ModelWindows}: an id waits for
 * another model's answer while its window is kept, at most {@value #MAX_OPEN_IDS} ids (the oldest
 * dropped first); the second model's answer then adds the differences of absolute error and cost
 * ({@code first − second} in {@link ModelWindows#ORDER}) to the window of the later answer, in a
 * ring per two models as {@link ModelWindows} keeps one per model, and to totals since start.
 *
 * <p>Not thread-safe: {@link ModelWindows} holds its lock.
 */
final class SharedIds {

  static final int MAX_OPEN_IDS = 50_000;

  private record Answer(String model, double absoluteError, double cost, long window) {}

  private final class PerPair {
    final DifferenceSums[] absoluteError =
        ModelWindows.ring(DifferenceSums::new, new DifferenceSums[count]);
    final DifferenceSums[] cost = ModelWindows.ring(DifferenceSums::new, new DifferenceSums[count]);
    long pairs; // since start, as the two costs below
    double costFrom;
    double costTo;
  }

  private final int count;
  private final Map<List<String>, PerPair> pairs = new LinkedHashMap<>();
  private final Map<String, List<Answer>> open =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<Answer>> eldest) {
          return size() > MAX_OPEN_IDS;
        }
      };

  /** For {@code count} windows kept. */
  SharedIds(int count) {
    this.count = count;
  }

  /**
   * Pairs the answer of {@code model} to {@code id} with other models' answers to it whose window
   * is still kept (later than {@code evicted}); adds each two models paired for the first time to
   * {@code news} as {@code [from, to]}.
   */
  void add(
      String id,
      String model,
      double absoluteError,
      double cost,
      long window,
      long evicted,
      List<List<String>> news) {
    Answer answer = new Answer(model, absoluteError, cost, window);
    List<Answer> before = open.get(id);
    if (before == null) {
      open.put(id, new ArrayList<>(List.of(answer)));
      return;
    }
    if (before.stream().anyMatch(a -> a.model().equals(model))) {
      return; // the same model's answer again (a row logged twice) pairs with nothing new
    }
    for (Answer other : before) {
      if (other.window() <= evicted) {
        continue; // its window is no longer kept
      }
      boolean otherFirst = ModelWindows.ORDER.compare(other.model(), model) < 0;
      Answer from = otherFirst ? other : answer;
      Answer to = otherFirst ? answer : other;
      List<String> key = List.of(from.model(), to.model());
      PerPair pair = pairs.get(key);
      if (pair == null) {
        pair = new PerPair();
        pairs.put(key, pair);
        news.add(key);
      }
      long pairWindow = Math.max(from.window(), to.window());
      slot(pair.absoluteError, pairWindow).add(from.absoluteError() - to.absoluteError());
      slot(pair.cost, pairWindow).add(from.cost() - to.cost());
      pair.pairs++;
      pair.costFrom += from.cost();
      pair.costTo += to.cost();
    }
    before.add(answer);
  }

  /** Forgets the windows and the waiting ids; the totals stay. */
  void clearWindows() {
    for (PerPair p : pairs.values()) {
      for (int i = 0; i < count; i++) {
        p.absoluteError[i].reset(Long.MIN_VALUE);
        p.cost[i].reset(Long.MIN_VALUE);
      }
    }
    open.clear();
  }

  /** Ids {@code from} and {@code to} (in order) both answered since start. */
  long pairs(String from, String to) {
    PerPair p = pairs.get(List.of(from, to));
    return p == null ? 0 : p.pairs;
  }

  /** What {@code model}'s answers to the ids it shares with {@code pairedWith} cost since start. */
  double pairedCost(String model, String pairedWith) {
    boolean first = ModelWindows.ORDER.compare(model, pairedWith) < 0;
    PerPair p = pairs.get(first ? List.of(model, pairedWith) : List.of(pairedWith, model));
    return p == null ? 0 : first ? p.costFrom : p.costTo;
  }

  /**
   * The comparisons over windows {@code first} to {@code now}, the cost's only when {@code costed}.
   */
  List<ModelWindows.Comparison> comparisons(long first, long now, boolean costed) {
    List<ModelWindows.Comparison> out = new ArrayList<>();
    for (Map.Entry<List<String>, PerPair> e : pairs.entrySet()) {
      DifferenceSums absolute = spanOf(e.getValue().absoluteError, first, now);
      if (absolute.count() == 0) {
        continue;
      }
      DifferenceSums cost = spanOf(e.getValue().cost, first, now);
      out.add(
          new ModelWindows.Comparison(
              e.getKey().get(0),
              e.getKey().get(1),
              absolute.count(),
              absolute.test(ModelWindows.CONFIDENCE),
              costed ? cost.test(ModelWindows.CONFIDENCE) : Optional.empty()));
    }
    out.sort(
        Comparator.comparing(ModelWindows.Comparison::from, ModelWindows.ORDER)
            .thenComparing(ModelWindows.Comparison::to, ModelWindows.ORDER));
    return out;
  }

  private DifferenceSums spanOf(DifferenceSums[] ring, long first, long now) {
    DifferenceSums span = new DifferenceSums();
    for (long w = first; w <= now; w++) {
      DifferenceSums s = ring[(int) Math.floorMod(w, (long) count)];
      if (s.window == w) {
        span.merge(s);
      }
    }
    return span;
  }

  private DifferenceSums slot(DifferenceSums[] ring, long w) {
    DifferenceSums s = ring[(int) Math.floorMod(w, (long) count)];
    if (s.window != w) {
      s.reset(w);
    }
    return s;
  }
}
