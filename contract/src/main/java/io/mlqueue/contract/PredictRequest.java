package io.mlqueue.contract;

import java.util.List;
import java.util.Objects;

/**
 * A request/reply prediction call on queue {@code predict}: {@code {"id": …, "instances":
 * [[numbers], …], "feature_names": [names]}}. The reply goes to the request's {@code reply_to} with
 * its {@code correlation_id}.
 *
 * @param id the request's id, echoed in the reply
 * @param instances the rows to predict, each of the same length
 * @param featureNames the name of each column when the client named its features, so the worker can
 *     put them in its model's order; empty when the rows are already in the model's order
 */
public record PredictRequest(MessageId id, double[][] instances, List<String> featureNames) {
  public PredictRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(instances, "instances");
    featureNames = List.copyOf(featureNames);
  }

  /** A request whose rows are in the model's feature order. */
  public static PredictRequest positional(MessageId id, double[][] instances) {
    return new PredictRequest(id, instances, List.of());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PredictRequest r
        && id.equals(r.id)
        && java.util.Arrays.deepEquals(instances, r.instances)
        && featureNames.equals(r.featureNames);
  }

  @Override
  public int hashCode() {
    return 31 * id.hashCode() + java.util.Arrays.deepHashCode(instances);
  }

  @Override
  public String toString() {
    return "PredictRequest[id="
        + id
        + ", "
        + instances.length
        + " instances, names="
        + featureNames
        + "]";
  }
}
