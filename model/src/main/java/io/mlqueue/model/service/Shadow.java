package io.mlqueue.model.service;

import io.mlqueue.contract.FeatureRows;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.model.ServableModel;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A challenger predicted beside the champion on every {@code features} message, for {@code
 * y_pred_shadow}. Its answers never replace the champion's, and its failures never stop the
 * champion's: a row the challenger cannot take (or predicts as a non-finite number) leaves that
 * message without a shadow prediction, counted in {@link #failures}, while the champion's goes out.
 * {@link #NONE} is a worker without a challenger.
 */
public final class Shadow {
  private static final Logger log = LoggerFactory.getLogger(Shadow.class);

  /** No challenger: nothing is predicted or published beside the champion. */
  public static final Shadow NONE = new Shadow(null);

  private final LiveModel challenger; // null for NONE only
  private final AtomicLong predictions = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  private Shadow(LiveModel challenger) {
    this.challenger = challenger;
  }

  /** Predicts with whatever {@code challenger} holds at each message; it may be swapped live. */
  public static Shadow of(LiveModel challenger) {
    return new Shadow(Objects.requireNonNull(challenger, "challenger"));
  }

  /** Whether there is a challenger. */
  public boolean active() {
    return challenger != null;
  }

  /** The challenger's live model, for its request/reply calls (only when {@link #active}). */
  LiveModel live() {
    return java.util.Objects.requireNonNull(challenger, "no challenger");
  }

  /** The challenger served now. */
  public Optional<ServableModel> current() {
    return active() ? Optional.of(challenger.current()) : Optional.empty();
  }

  /**
   * The challenger's {@code y_pred_shadow} message for {@code rows}, answered in kind (bulk for
   * bulk) and tagged with its {@code model}; empty without a challenger or when it cannot predict
   * every row.
   */
  Optional<byte[]> predict(FeatureRows rows, MessageCodec codec) {
    if (challenger == null) {
      return Optional.empty();
    }
    try (LiveModel.Lease lease = challenger.lease()) {
      ServableModel model = lease.model();
      double[] values = new double[rows.size()];
      try {
        for (double[] row : rows.features()) {
          model.checkFeatures(row);
        }
        if (values.length == 1) {
          values[0] = model.predict(rows.features()[0]); // as the champion predicts one row
        } else {
          model.predictBatch(rows.features(), values);
        }
      } catch (IllegalArgumentException e) {
        return failed(model, e.getMessage());
      }
      for (double v : values) {
        if (!Double.isFinite(v)) {
          return failed(model, ModelService.overflow(v));
        }
      }
      predictions.addAndGet(values.length);
      return Optional.of(
          codec.encode(
              new ValueRows(rows.ids(), values, model.id(), rows.sentAtMillis(), rows.bulk())));
    }
  }

  private Optional<byte[]> failed(ServableModel model, String why) {
    // Once in a while is enough: a challenger that cannot read the stream fails on every message.
    if (failures.getAndIncrement() % 1_000 == 0) {
      log.warn(
          "model: shadow {} cannot predict a message the champion took ({}); {} so far",
          model.id(),
          why,
          failures.get());
    }
    return Optional.empty();
  }

  /** Rows the challenger predicted so far. */
  public long predictions() {
    return predictions.get();
  }

  /** Messages the challenger could not predict (the champion's answer went out alone). */
  public long failures() {
    return failures.get();
  }
}
