package io.mlqueue.contract;

import java.util.Objects;

/**
 * The feature vectors of one message on queue {@code features}: one in the course's form ({@code
 * {"id": ID, "body": [numbers]}}), or several in a bulk message ({@code {"id": [ID, …], "body":
 * [[numbers], …]}}), which the model answers with one bulk message on {@code y_pred}.
 *
 * @param ids one id per row
 * @param features one vector per row, all finite, in the order of {@code ids}
 * @param sentAtMillis when the producer sent the message (epoch milliseconds), 0 when unknown
 * @param bulk whether the message had the bulk form (lists of ids and vectors), even of one row
 */
public record FeatureRows(MessageId[] ids, double[][] features, long sentAtMillis, boolean bulk) {

  public FeatureRows {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(features, "features");
    if (ids.length != features.length) {
      throw new IllegalArgumentException(
          ids.length + " ids for " + features.length + " feature vectors");
    }
    if (ids.length == 0 || (!bulk && ids.length != 1)) {
      throw new IllegalArgumentException(
          "a message carries one row, or one or more in bulk form; got " + ids.length);
    }
  }

  /** One row in the course's form. */
  public static FeatureRows single(MessageId id, double[] features, long sentAtMillis) {
    return new FeatureRows(new MessageId[] {id}, new double[][] {features}, sentAtMillis, false);
  }

  public int size() {
    return ids.length;
  }
}
