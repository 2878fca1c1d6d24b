package io.mlqueue.contract;

import java.util.Arrays;
import java.util.Objects;

/**
 * The answer to a {@link PredictRequest}: predictions, one per instance and in order, or a failure
 * that says why.
 */
public sealed interface PredictReply {
  MessageId id();

  /** {@code {"id": …, "predictions": [numbers], "model": "name:version"}}. */
  record Predictions(MessageId id, double[] predictions, String model) implements PredictReply {
    public Predictions {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(predictions, "predictions");
      Objects.requireNonNull(model, "model");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Predictions p
          && id.equals(p.id)
          && Arrays.equals(predictions, p.predictions)
          && model.equals(p.model);
    }

    @Override
    public int hashCode() {
      return Objects.hash(id, Arrays.hashCode(predictions), model);
    }

    @Override
    public String toString() {
      return "Predictions[id="
          + id
          + ", "
          + Arrays.toString(predictions)
          + ", model="
          + model
          + "]";
    }
  }

  /** {@code {"id": …, "error": {"kind": "invalid_input", "message": "…"}}}. */
  record Failure(MessageId id, Kind kind, String message) implements PredictReply {
    public Failure {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(message, "message");
    }
  }

  /** Why a request failed: the caller's input, or the worker. */
  enum Kind {
    /** The instances do not fit the model (length, names, values): the client must fix them. */
    INVALID_INPUT("invalid_input"),
    /** The worker failed to predict: not the client's fault. */
    INTERNAL("internal");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    static Kind fromWire(String s) {
      for (Kind k : values()) {
        if (k.wire.equals(s)) {
          return k;
        }
      }
      return INTERNAL;
    }
  }
}
