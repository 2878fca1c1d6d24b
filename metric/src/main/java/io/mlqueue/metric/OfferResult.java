package io.mlqueue.metric;

import io.mlqueue.contract.MessageId;
import java.util.List;
import java.util.Objects;

/**
 * What {@link PairingBuffer#offerTrue} and {@link PairingBuffer#offerPred} did with a half. Meant
 * for an exhaustive {@code switch}:
 *
 * <pre>{@code
 * switch (buffer.offerPred(id, value, delivery)) {
 *   case OfferResult.Paired<Delivery> p -> writeThenAck(p.pair());
 *   case OfferResult.Waiting<Delivery> w -> w.evicted().forEach(this::deadLetter);
 *   case OfferResult.Duplicate<Delivery> d -> ack(d.supersededHandle());
 * }
 * }</pre>
 *
 * @param <H> the caller's opaque handle type
 */
public sealed interface OfferResult<H> {

  /**
   * The half is now pending until its other half arrives. Storing it may have pushed the buffer
   * over its maximum size, in which case the oldest pending halves were evicted.
   *
   * @param evicted the halves evicted to make room, oldest first; usually empty
   */
  record Waiting<H>(List<Orphan<H>> evicted) implements OfferResult<H> {
    public Waiting {
      evicted = List.copyOf(evicted);
    }
  }

  /**
   * The half completed a pair, which has left the buffer.
   *
   * @param pair both halves with both handles
   */
  record Paired<H>(Pair<H> pair) implements OfferResult<H> {
    public Paired {
      Objects.requireNonNull(pair, "pair");
    }
  }

  /**
   * The same half of the same id was already pending (a redelivery or a repeated publish). The
   * buffer keeps the newer message, because after a reconnect only the newest delivery can still be
   * acked, and hands back the handle of the earlier one, which the service acks (or discards if its
   * channel is gone). The pending half keeps its original arrival time, so repeated redeliveries
   * cannot keep an orphan alive forever.
   *
   * @param id the message id
   * @param half which half was repeated
   * @param supersededHandle the handle of the earlier message, no longer held by the buffer
   */
  record Duplicate<H>(MessageId id, Half half, H supersededHandle) implements OfferResult<H> {
    public Duplicate {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(half, "half");
      Objects.requireNonNull(supersededHandle, "supersededHandle");
    }
  }
}
