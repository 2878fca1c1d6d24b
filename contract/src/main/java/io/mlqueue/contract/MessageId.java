package io.mlqueue.contract;

import java.util.Objects;
import java.util.UUID;

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

  /** A string id. */
  public static MessageId of(String text) {
    return new MessageId(text, false);
  }

  /** A numeric id, kept as the literal {@code literal} (for example {@code 1700000000.25}). */
  public static MessageId ofNumber(String literal) {
    return new MessageId(literal, true);
  }

  /** A fresh random id, as our {@code features} service sends. */
  public static MessageId random() {
    return of(UUID.randomUUID().toString());
  }

  @Override
  public String toString() {
    return text;
  }
}
