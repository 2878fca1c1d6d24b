package io.mlqueue.metric.service;

import io.mlqueue.amqp.Inbound;
import io.mlqueue.amqp.Outcome;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.ValueRows;

/**
 * The rows of one {@code y_true} or {@code y_pred} delivery: one in the course's form, many in a
 * bulk message. The delivery is acked once every row is done — logged in a pair, found logged
 * already, superseded by a redelivered copy, or dead-lettered as an orphan — and requeued whole
 * when any row cannot be written.
 */
final class DeliveryRows {
  private final Inbound message;
  private final ValueRows rows;
  private final MessageCodec codec;
  private int left; // guarded by this

  DeliveryRows(Inbound message, ValueRows rows, MessageCodec codec) {
    this.message = message;
    this.rows = rows;
    this.codec = codec;
    this.left = rows.size();
  }

  /** The handle of row {@code i}, which the pairing buffer holds until its partner comes. */
  Row row(int i) {
    return new Row(this, i);
  }

  private void rowDone() {
    boolean last;
    synchronized (this) {
      last = --left == 0;
    }
    if (last) {
      message.ack();
    }
  }

  /** One row of a delivery: a half of a pair. */
  record Row(DeliveryRows delivery, int index) {
    /** This row needs nothing more: the delivery is acked when all its rows are done. */
    void done() {
      delivery.rowDone();
    }

    /** The model that predicted this row ({@code model} of its message); empty if not said. */
    String model() {
      return delivery.rows.model();
    }

    /** Gives the whole delivery back to its queue; its rows come again. */
    void requeue() {
      delivery.message.requeue();
    }

    /**
     * Dead-letters this row with {@code reason}: the message itself when it is a single row, else a
     * single-row message of this row alone, so the rest of a bulk message still pairs.
     */
    void deadLetter(String reason) {
      if (!delivery.rows.bulk()) {
        delivery.message.deadLetter(reason);
        return;
      }
      byte[] alone = delivery.codec.encode(delivery.rows.row(index));
      delivery.message.publishDeadLetter(
          alone,
          reason,
          new Outcome() {
            @Override
            public void confirmed() {
              done();
            }

            @Override
            public void failed(String why) {
              requeue();
            }
          });
    }
  }
}
