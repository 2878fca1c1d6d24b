package io.mlqueue.metric;

import io.mlqueue.contract.MessageId;
import java.time.Duration;
import java.util.Objects;

/**
 * A half that was evicted from the {@link PairingBuffer} before its other half arrived. The service
 * dead-letters its message (with {@link #reason()} as the reason) rather than dropping it silently.
 *
 * @param <H> the caller's opaque handle type
 * @param id the message id
 * @param half which half this is
 * @param value the half's value
 * @param handle the handle of the message, to dead-letter or reject it
 * @param age how long the half waited, never negative
 * @param reason why it was evicted
 */
public record Orphan<H>(
    MessageId id, Half half, double value, H handle, Duration age, Reason reason) {

  public Orphan {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(half, "half");
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(age, "age");
    Objects.requireNonNull(reason, "reason");
  }

  /** Why an orphan was evicted. */
  public enum Reason {
    /** It waited longer than the buffer's maximum age. */
    EXPIRED,
    /** The buffer was full and this was the oldest pending half, overtaken by the other stream. */
    OVERFLOW
  }
}
