package io.mlqueue.contract;

import java.util.Arrays;
import java.util.Objects;

/**
 * A feature vector on queue {@code features}: {@code {"id": …, "body": [numbers]}}.
 *
 * @param id the pairing id, echoed by the model on {@code y_pred}
 * @param features the feature values, all finite
 * @param sentAtMillis when the producer sent it (epoch milliseconds), 0 when the producer did not
 *     say
 */
public record FeaturesMessage(MessageId id, double[] features, long sentAtMillis) {

  public FeaturesMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(features, "features");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeaturesMessage other
        && id.equals(other.id)
        && Arrays.equals(features, other.features)
        && sentAtMillis == other.sentAtMillis;
  }

  @Override
  public int hashCode() {
    return 31 * id.hashCode() + Arrays.hashCode(features);
  }

  @Override
  public String toString() {
    return "FeaturesMessage[id=" + id + ", features=" + Arrays.toString(features) + "]";
  }
}
