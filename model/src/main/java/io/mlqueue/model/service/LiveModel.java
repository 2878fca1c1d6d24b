package io.mlqueue.model.service;

import io.mlqueue.model.ServableModel;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model a worker serves, which may be replaced while it runs. A reader takes {@link #current()}
 * once per message or batch and predicts and labels with that one instance, so every answer names
 * the version that computed it; a swap only changes what the next reader gets.
 *
 * <p>Only a model that reads the same rows is taken: the same feature names in the same order and
 * the same target. Messages carry bare arrays, so another column order would predict from shuffled
 * inputs without any error.
 */
public final class LiveModel {
  private final AtomicReference<ServableModel> current;
  private final AtomicLong swaps = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();

  public LiveModel(ServableModel initial) {
    this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
  }

  /** The model to use for the next message or batch. */
  public ServableModel current() {
    return current.get();
  }

  /**
   * Serves {@code next} from now on if it reads the same rows as the model served now.
   *
   * @return empty when swapped in; otherwise why not, and the current model stays
   */
  public synchronized Optional<String> swap(ServableModel next) {
    ServableModel now = current.get();
    Optional<String> why = incompatibility(now, next);
    if (why.isPresent()) {
      refusals.incrementAndGet();
      return why;
    }
    current.set(next);
    swaps.incrementAndGet();
    return Optional.empty();
  }

  /** Counts a replacement that could not even be loaded (a broken file). */
  public void countRefusal() {
    refusals.incrementAndGet();
  }

  /** Why {@code next} cannot take over from {@code now}, or empty if it can. */
  static Optional<String> incompatibility(ServableModel now, ServableModel next) {
    if (!now.featureNames().equals(next.featureNames())) {
      return Optional.of(
          "%s reads features %s but %s, served now, reads %s; the messages' arrays would be"
                  .formatted(next.id(), next.featureNames(), now.id(), now.featureNames())
              + " misread");
    }
    if (!now.targetName().equals(next.targetName())) {
      return Optional.of(
          "%s predicts '%s' but %s, served now, predicts '%s'"
              .formatted(next.id(), next.targetName(), now.id(), now.targetName()));
    }
    return Optional.empty();
  }

  /** Models swapped in since start. */
  public long swaps() {
    return swaps.get();
  }

  /** Replacements refused since start: incompatible or unreadable. */
  public long refusals() {
    return refusals.get();
  }
}
