package io.mlqueue.contract;

import java.util.Objects;

/**
 * The numbers of one message on queue {@code y_true} or {@code y_pred}: one in the course's form
 * ({@code {"id": ID, "body": number}}), or several in a bulk message ({@code {"id": [ID, …],
 * "body": [number, …]}}).
 *
 * @param ids one id per row
 * @param values one value per row, all finite, in the order of {@code ids}
 * @param model the model that predicted them as {@code name:version}; empty for true answers and
 *     producers that do not say
 * @param sentAtMillis when the feature vectors were sent (epoch milliseconds), 0 when unknown
 * @param bulk whether the message had the bulk form (lists of ids and values), even of one row
 */
public record ValueRows(
    MessageId[] ids, double[] values, String model, long sentAtMillis, boolean bulk) {

  public ValueRows {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(model, "model");
    if (ids.length != values.length) {
      throw new IllegalArgumentException(ids.length + " ids for " + values.length + " values");
    }
    if (ids.length == 0 || (!bulk && ids.length != 1)) {
      throw new IllegalArgumentException(
          "a message carries one row, or one or more in bulk form; got " + ids.length);
    }
  }

  /** One row in the course's form. */
  public static ValueRows single(MessageId id, double value, String model, long sentAtMillis) {
    return new ValueRows(new MessageId[] {id}, new double[] {value}, model, sentAtMillis, false);
  }

  public int size() {
    return ids.length;
  }

  /** Row {@code i} alone, in the course's form: for a dead letter of one row of a bulk message. */
  public ValueMessage row(int i) {
    return new ValueMessage(ids[i], values[i], model, sentAtMillis);
  }
}
