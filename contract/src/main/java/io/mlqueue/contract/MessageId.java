package io.mlqueue.contract;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A message id exactly as it was on the wire. The course sends float timestamps ({@code
 * 1700000000.123456}), our services send UUID strings; either is echoed back unchanged, so a number
 * keeps its original literal (re-formatting a double could change it and break the pairing on the
 * other side).
 *
 * @param text the string's value, or the number's literal as written
 * @param numeric whether the id was a JSON number rather than a JSON string
 */
public record MessageId(String text, boolean numeric) {

  public MessageId {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("a message id must not be empty");
    }
  }

  /** Version-4 layout: version nibble 4 in the high half, RFC 4122 variant bits in the low half. */
  private static final long PROCESS_BITS = (new SecureRandom().nextLong() & ~0xF000L) | 0x4000L;

  private static final AtomicLong NEXT = new AtomicLong(new SecureRandom().nextLong());

  /** A string id. */
  public static MessageId of(String text) {
    return new MessageId(text, false);
  }

  /** A numeric id, kept as the literal {@code literal} (for example {@code 1700000000.25}). */
  public static MessageId ofNumber(String literal) {
    return new MessageId(literal, true);
  }

  /**
   * A fresh unique id in UUID form, as our {@code features} service and the gateway send.
   *
   * <p>Not {@link UUID#randomUUID()}: that draws 16 bytes from {@code SecureRandom} for every id,
   * which serialises all threads on one lock and cost the gateway 3 % of its CPU. Ids must be
   * unique, not unguessable, so the first half is drawn from {@code SecureRandom} once per process
   * (two processes draw the same with a chance of 2^-60) and the second half counts up.
   */
  public static MessageId random() {
    long sequence = NEXT.getAndIncrement() & 0x3FFF_FFFF_FFFF_FFFFL;
    return of(new UUID(PROCESS_BITS, 0x8000_0000_0000_0000L | sequence).toString());
  }

  @Override
  public String toString() {
    return text;
  }
}
