package io.mlqueue.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acks of one channel, sent as few frames as the guarantees allow: one {@code basic.ack} with
 * {@code multiple=true} for the longest run of deliveries, oldest first, that are all settled.
 *
 * <p>Why: RabbitMQ's channel keeps its unacked deliveries in delivery order and settles a single
 * ack by walking that list from the oldest, and every ack frame costs it a round through the
 * channel and queue processes. One ack per message, with halves that wait unacked for their partner
 * in front of them, made the broker work about three times harder per pair than the course's
 * auto-ack services (docs/PERFORMANCE.md). A multiple ack over a settled prefix is one frame and
 * one walk for the lot, and still acks nothing before its side effect is done.
 *
 * <p>Settling marks a delivery; the ack frame goes out at the end of the settling thread's current
 * {@linkplain #batch() batch}, or at once when the thread is in none. So a confirm frame that
 * settles forty deliveries, or a metric write of forty rows, sends one ack.
 *
 * <p>A delivery that stays unsettled (a half whose partner is late) holds back the acks of those
 * behind it. Once more than {@link #HELD_BACK_LIMIT} settled deliveries wait behind one, they are
 * acked one by one instead: right behind the oldest unacked delivery a single ack is cheap for the
 * broker, and a long wait must not fill the prefetch window with messages already done. The same
 * happens before the channel closes, so a clean stop leaves nothing done to be redelivered.
 *
 * <p>Requeues and rejections are sent at once, one by one: a multiple ack may then pass over them,
 * since the broker no longer holds them unacked. When the channel goes down every tracked delivery
 * is forgotten: the broker requeues them, and the client ignores tags of a channel that recovered.
 */
public final class DeliveryAcks {
  private static final Logger log = LoggerFactory.getLogger(DeliveryAcks.class);

  /** Settled deliveries that may wait behind an unsettled one before they are acked singly. */
  static final int HELD_BACK_LIMIT = 64;

  private enum State {
    UNSETTLED,
    SETTLED,
    /** Requeued or rejected: the broker has it back, and it must not be acked. */
    RETURNED
  }

  private static final class Delivery {
    final long tag;
    State state = State.UNSETTLED;

    Delivery(long tag) {
      this.tag = tag;
    }
  }

  private final Channel channel;
  private final String name;
  // Guarded by this. Deliveries in the order the broker made them, the oldest unacked first.
  private final ArrayDeque<Delivery> inOrder = new ArrayDeque<>();
  private final Map<Long, Delivery> unsettled = new HashMap<>();
  private int heldBack; // SETTLED deliveries in inOrder
  private long ackFrames;

  DeliveryAcks(Channel channel, String name) {
    this.channel = channel;
    this.name = name;
    channel.addShutdownListener(cause -> forgetAll());
  }

  /** Tracks a delivery; call in delivery order, before it can be settled. */
  synchronized void delivered(long tag) {
    Delivery d = new Delivery(tag);
    inOrder.addLast(d);
    unsettled.put(tag, d);
  }

  /** The delivery's side effect is done: it will be acked with the next frame. */
  void settle(long tag) {
    synchronized (this) {
      Delivery d = unsettled.remove(tag);
      if (d == null) {
        return; // settled before, or its channel went down
      }
      d.state = State.SETTLED;
      heldBack++;
    }
    Batch batch = BATCH.get();
    if (batch.depth > 0) {
      batch.touched(this);
    } else {
      flush();
    }
  }

  /**
   * Gives the delivery back to the broker at once: requeued for another try, or dropped ({@code
   * requeue=false}). Sent before any multiple ack that may pass over it.
   */
  synchronized void nack(long tag, boolean requeue) {
    Delivery d = unsettled.remove(tag);
    if (d == null) {
      return;
    }
    d.state = State.RETURNED; // the next multiple ack may pass over it
    try {
      channel.basicNack(tag, false, requeue);
    } catch (IOException | ShutdownSignalException e) {
      log.debug("{}: nack lost with the channel; the broker will redeliver", name);
    }
  }

  /**
   * Acks the oldest deliveries that are all settled, in one frame; and, when too many settled ones
   * wait behind an unsettled one, those too. Frames are sent under the lock: two out of order would
   * ack a tag the broker no longer knows, and it closes the channel for that.
   */
  synchronized void flush() {
    ackSettledPrefix();
    if (heldBack > HELD_BACK_LIMIT) {
      ackHeldBack();
    }
  }

  /** Acks every settled delivery now: the prefix in one frame, those behind an unsettled singly. */
  synchronized void flushAll() {
    ackSettledPrefix();
    if (heldBack > 0) {
      ackHeldBack();
    }
  }

  private void ackSettledPrefix() {
    long upTo = -1;
    Delivery head;
    while ((head = inOrder.peekFirst()) != null && head.state != State.UNSETTLED) {
      inOrder.pollFirst();
      if (head.state == State.SETTLED) {
        heldBack--;
        upTo = head.tag; // never a returned tag: the broker may have given it to another delivery
      }
    }
    if (upTo >= 0) {
      send(upTo, true);
    }
  }

  private void ackHeldBack() {
    ArrayDeque<Delivery> keep = new ArrayDeque<>(inOrder.size());
    for (Delivery d : inOrder) {
      if (d.state == State.SETTLED) {
        send(d.tag, false);
      } else if (d.state == State.UNSETTLED) {
        keep.addLast(d);
      }
    }
    inOrder.clear();
    inOrder.addAll(keep);
    heldBack = 0;
  }

  private void send(long tag, boolean multiple) {
    try {
      channel.basicAck(tag, multiple);
      ackFrames++;
    } catch (IOException | ShutdownSignalException e) {
      log.debug("{}: ack lost with the channel; the broker will redeliver", name);
    }
  }

  /** Deliveries tracked and not yet acked (settled or not). */
  synchronized int outstanding() {
    return inOrder.size();
  }

  /** Ack frames sent so far. */
  synchronized long ackFrames() {
    return ackFrames;
  }

  private synchronized void forgetAll() {
    inOrder.clear();
    unsettled.clear();
    heldBack = 0;
  }

  // ---- batches ----

  private static final ThreadLocal<Batch> BATCH = ThreadLocal.withInitial(Batch::new);

  /** The calling thread's batch: settlements wait for its end, then go out as one frame each. */
  private static final class Batch {
    int depth;
    final List<DeliveryAcks> touched = new ArrayList<>(2);

    void touched(DeliveryAcks acks) {
      if (!touched.contains(acks)) {
        touched.add(acks);
      }
    }
  }

  /** A scope whose end sends the acks its thread settled within it. Scopes nest. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Opens a batch on the calling thread: deliveries settled until it closes are acked when it
   * closes, one frame per channel.
   */
  public static Scope batch() {
    Batch batch = BATCH.get();
    batch.depth++;
    return () -> {
      if (--batch.depth == 0 && !batch.touched.isEmpty()) {
        for (DeliveryAcks acks : batch.touched) {
          acks.flush();
        }
        batch.touched.clear();
      }
    };
  }
}
