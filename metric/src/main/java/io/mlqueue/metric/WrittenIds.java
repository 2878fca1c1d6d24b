package io.mlqueue.metric;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The ids most recently written to {@code metric_log.csv}, so that a redelivered message never
 * produces a second row. Bounded: once full, adding an id forgets the one added longest ago.
 *
 * <p>The bound is a trade-off. A redelivery of an id older than the last {@code capacity} ids would
 * be written a second time; with the default capacity that is over 100 days of the course's traffic
 * and minutes of a stream at full speed, while a redelivery normally comes within seconds of a
 * reconnect.
 *
 * <p>Memory: ids in the canonical UUID form our services send ({@code 8-4-4-4-12} lowercase hex)
 * are kept as their 128 bits in primitive arrays, about 56 bytes each with the table's slack, where
 * a Java string in a hash set took about 130; the default capacity then costs some 56 MB of heap
 * instead of 130 MB, which kept metric over 200 MB resident at full speed. Any other id (the
 * course's float timestamps, a producer's own strings) is kept as its text. Both are exact: no id
 * is ever mistaken for another.
 *
 * <p>Ids are the text of a row's id column, so a numeric id {@code 1} and a string id {@code "1"}
 * count as the same id here (the CSV cannot tell them apart either). Not thread-safe.
 */
public final class WrittenIds {
  /** One million ids. */
  public static final int DEFAULT_CAPACITY = 1_000_000;

  private static final int INITIAL = 1_024;

  private final int capacity;
  // Insertion order, oldest first, as a ring: each entry is a UUID (its two halves) or a string.
  // It grows with the set, up to the capacity, so an idle metric does not hold the full size.
  private long[] orderHi;
  private long[] orderLo;
  private String[] orderText; // null where the entry is a UUID
  private int oldest;
  private int size;
  private UuidTable uuids;
  private final Set<String> others = new HashSet<>();

  /** An empty set that remembers at most {@code capacity} ids. */
  public WrittenIds(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
    int initial = Math.min(capacity, INITIAL);
    this.orderHi = new long[initial];
    this.orderLo = new long[initial];
    this.orderText = new String[initial];
    this.uuids = new UuidTable(initial);
  }

  // The last id parsed and its bits: the writer asks contains(id), then add(id), for every row.
  private String lastId;
  private long[] lastBits;

  private long[] parse(String id) {
    if (id != lastId) {
      lastBits = Uuids.parse(id);
      lastId = id;
    }
    return lastBits;
  }

  /** Whether {@code id} is among the remembered ids. */
  public boolean contains(String id) {
    long[] bits = parse(id);
    return bits != null ? uuids.contains(bits[0], bits[1]) : others.contains(id);
  }

  /**
   * Remembers {@code id}, forgetting the oldest id if the set is full. Returns false if it was
   * already remembered (its place in the eviction order does not change then).
   */
  public boolean add(String id) {
    Objects.requireNonNull(id, "id");
    long[] bits = parse(id);
    if (bits != null ? uuids.contains(bits[0], bits[1]) : others.contains(id)) {
      return false;
    }
    if (size == capacity) {
      forgetOldest();
    } else if (size == orderText.length) {
      grow();
    }
    if (bits != null && uuids.isFull()) {
      uuids = uuids.grown();
    }
    int slot = (oldest + size) % orderText.length;
    if (bits != null) {
      uuids.add(bits[0], bits[1]);
      orderHi[slot] = bits[0];
      orderLo[slot] = bits[1];
      orderText[slot] = null;
    } else {
      others.add(id);
      orderText[slot] = id;
    }
    size++;
    return true;
  }

  /** Doubles the ring (up to the capacity), oldest entry first again. */
  private void grow() {
    int length = (int) Math.min(capacity, 2L * orderText.length);
    long[] hi = new long[length];
    long[] lo = new long[length];
    String[] text = new String[length];
    for (int i = 0; i < size; i++) {
      int from = (oldest + i) % orderText.length;
      hi[i] = orderHi[from];
      lo[i] = orderLo[from];
      text[i] = orderText[from];
    }
    orderHi = hi;
    orderLo = lo;
    orderText = text;
    oldest = 0;
  }

  private void forgetOldest() {
    String text = orderText[oldest];
    if (text != null) {
      others.remove(text);
      orderText[oldest] = null;
    } else {
      uuids.remove(orderHi[oldest], orderLo[oldest]);
    }
    oldest = (oldest + 1) % orderText.length;
    size--;
  }

  /** How many ids are remembered. */
  public int size() {
    return size;
  }

  /** The most ids this set remembers. */
  public int capacity() {
    return capacity;
  }

  /** Canonical UUID text to its 128 bits, exactly: only a text that round-trips is taken. */
  static final class Uuids {
    private Uuids() {}

    /** Each ASCII character's value as a lowercase hex digit, -1 for any other. */
    private static final byte[] HEX = new byte[128];

    static {
      java.util.Arrays.fill(HEX, (byte) -1);
      for (int c = '0'; c <= '9'; c++) {
        HEX[c] = (byte) (c - '0');
      }
      for (int c = 'a'; c <= 'f'; c++) {
        HEX[c] = (byte) (c - 'a' + 10); // uppercase would not round-trip
      }
    }

    /** The two halves of {@code s} if it is a lowercase {@code 8-4-4-4-12} UUID, else null. */
    static long[] parse(String s) {
      if (s.length() != 36
          || s.charAt(8) != '-'
          || s.charAt(13) != '-'
          || s.charAt(18) != '-'
          || s.charAt(23) != '-') {
        return null;
      }
      // Digits 0-7, 9-12 and 14-17 make the high half; 19-22 and 24-35 the low one. A character
      // that is no lowercase hex digit turns a half negative through the OR of -1.
      long hi = hex(s, 0, 8);
      long mid = hex(s, 9, 13);
      long mid2 = hex(s, 14, 18);
      long lo1 = hex(s, 19, 23);
      long lo2 = hex(s, 24, 36);
      if ((hi | mid | mid2 | lo1 | lo2) < 0) {
        return null;
      }
      return new long[] {hi << 32 | mid << 16 | mid2, lo1 << 48 | lo2};
    }

    /** The hex digits of {@code s} from {@code from} to {@code to} (at most 15), or -1. */
    private static long hex(String s, int from, int to) {
      long v = 0;
      for (int i = from; i < to; i++) {
        char c = s.charAt(i);
        int d = c < 128 ? HEX[c] : -1;
        if (d < 0) {
          return -1;
        }
        v = v << 4 | d;
      }
      return v;
    }
  }

  /**
   * A set of 128-bit values in open addressing with linear probing, at most half full (it grows
   * before); removal shifts the entries of a probe run back, so no tombstones accumulate. Both
   * halves of an entry sit side by side in one array, so a probe touches one cache line, not one
   * per array: at a million ids the table is far larger than the caches and every look-up is a
   * miss. The all-zero value marks an empty slot, so it is held apart in a flag.
   */
  static final class UuidTable {
    private final long[] slots; // hi at 2i, lo at 2i + 1
    private final int mask;
    private int count;
    private boolean zero; // whether the value (0, 0) is in the set

    /** A table for {@code entries} values at half load. */
    UuidTable(int entries) {
      int n = Integer.highestOneBit(Math.max(2, entries) * 2 - 1) * 2;
      slots = new long[2 * n];
      mask = n - 1;
    }

    boolean isFull() {
      return count >= (mask + 1) / 2;
    }

    /** A table twice the size holding the same values. */
    UuidTable grown() {
      UuidTable bigger = new UuidTable(mask + 1);
      for (int i = 0; i <= mask; i++) {
        if (used(i)) {
          bigger.add(slots[2 * i], slots[2 * i + 1]);
        }
      }
      bigger.zero = zero;
      bigger.count += zero ? 1 : 0;
      return bigger;
    }

    private boolean used(int i) {
      return (slots[2 * i] | slots[2 * i + 1]) != 0;
    }

    boolean contains(long hi, long lo) {
      return (hi | lo) == 0 ? zero : find(hi, lo) >= 0;
    }

    boolean add(long hi, long lo) {
      if ((hi | lo) == 0) {
        if (zero) {
          return false;
        }
        zero = true;
        count++;
        return true;
      }
      int i = home(hi, lo);
      while (used(i)) {
        if (slots[2 * i] == hi && slots[2 * i + 1] == lo) {
          return false;
        }
        i = (i + 1) & mask;
      }
      slots[2 * i] = hi;
      slots[2 * i + 1] = lo;
      count++;
      return true;
    }

    void remove(long hi, long lo) {
      if ((hi | lo) == 0) {
        if (zero) {
          zero = false;
          count--;
        }
        return;
      }
      int hole = find(hi, lo);
      if (hole < 0) {
        return;
      }
      slots[2 * hole] = 0;
      slots[2 * hole + 1] = 0;
      count--;
      for (int j = (hole + 1) & mask; used(j); j = (j + 1) & mask) {
        int home = home(slots[2 * j], slots[2 * j + 1]);
        // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
        boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
          slots[2 * hole] = slots[2 * j];
          slots[2 * hole + 1] = slots[2 * j + 1];
          slots[2 * j] = 0;
          slots[2 * j + 1] = 0;
          hole = j;
        }
      }
    }

    private int find(long hi, long lo) {
      for (int i = home(hi, lo); used(i); i = (i + 1) & mask) {
        if (slots[2 * i] == hi && slots[2 * i + 1] == lo) {
          return i;
        }
      }
      return -1;
    }

    /** MurmurHash3's 64-bit finaliser over both halves: our ids differ only in their low half. */
    private int home(long hi, long lo) {
      long h = hi * 0x9E3779B97F4A7C15L ^ lo;
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb9fe1a85ec53L;
      h ^= h >>> 33;
      return (int) h & mask;
    }
  }
}
