package io.mlqueue.model.service;

import io.mlqueue.model.ServableModel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model a worker serves, which may be replaced while it runs. A reader takes a {@link Lease}
 * once per message or batch and predicts and labels with that one instance, so every answer names
 * the version that computed it; a swap only changes what the next reader gets.
 *
 * <p>Only a model that reads the same rows is taken: the same feature names in the same order and
 * the same target. Messages carry bare arrays, so another column order would predict from shuffled
 * inputs without any error.
 *
 * <p>The live model owns the models it is given. One that is {@link AutoCloseable} (an ONNX model
 * holds a native session) is closed when it can no longer be used: a refused one at once; a
 * swapped-out one once the last lease taken on it is released, since another thread may still be
 * predicting with it; the one served at {@link #close} once its leases are released too. Each model
 * is counted: one reference for being current, one per lease; it is closed when the count reaches
 * zero, and a lease is only taken while the count is above zero.
 */
public final class LiveModel implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveModel.class);

  private final AtomicReference<Counted> current;
  private final AtomicLong swaps = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();
  private final List<Consumer<ServableModel>> swapListeners = new CopyOnWriteArrayList<>();
  private boolean closed; // guarded by this

  public LiveModel(ServableModel initial) {
    this.current = new AtomicReference<>(new Counted(Objects.requireNonNull(initial, "initial")));
  }

  /**
   * The model served now, for what it reads and who it is. To predict, take a {@link #lease()}: a
   * model read here may be swapped out and closed at any moment.
   */
  public ServableModel current() {
    return current.get().model;
  }

  /**
   * The model to predict the next message or batch with, kept open until the lease is closed. Close
   * it promptly (try-with-resources): a swapped-out model is freed only after its last lease.
   */
  public Lease lease() {
    while (true) {
      Counted counted = current.get();
      if (counted.retain()) {
        return new Lease(counted);
      }
      // Swapped out and released between the read and the retain: the next read sees its successor.
      // After close the last model stays current and is no longer leased.
      if (counted == current.get()) {
        throw new IllegalStateException("the live model is closed");
      }
    }
  }

  /**
   * Serves {@code next} from now on if it reads the same rows as the model served now. Takes {@code
   * next} either way: a refused one is closed at once if it is closeable.
   *
   * @return empty when swapped in; otherwise why not, and the current model stays
   */
  public synchronized Optional<String> swap(ServableModel next) {
    Objects.requireNonNull(next, "next");
    Counted now = current.get();
    Optional<String> why =
        closed ? Optional.of("the worker is stopping") : incompatibility(now.model, next);
    if (why.isPresent()) {
      refusals.incrementAndGet();
      closeQuietly(next);
      return why;
    }
    current.set(new Counted(next));
    swaps.incrementAndGet();
    now.release(); // closed now, or by the last reader still predicting with it
    for (Consumer<ServableModel> listener : swapListeners) {
      try {
        listener.accept(next);
      } catch (RuntimeException e) {
        log.warn("model: a listener of the swap to {} failed: {}", next.id(), e.toString());
      }
    }
    return Optional.empty();
  }

  /**
   * Calls {@code listener} with each model swapped in from now on, on the swapping thread (never on
   * a reader's): for what shows which model is served, such as a meter's tags.
   */
  public void onSwap(Consumer<ServableModel> listener) {
    swapListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Counts a replacement that could not even be loaded (a broken file). */
  public void countRefusal() {
    refusals.incrementAndGet();
  }

  /**
   * Stops serving: the current model is closed once its last lease is released. Call it after the
   * consumers have stopped. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      current.get().release();
    }
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

  private static void closeQuietly(ServableModel model) {
    if (model instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // Nothing a reader or the alias follower could do about it; the worker serves on.
        log.warn("model: closing {} failed: {}", model.id(), e.toString());
      }
    }
  }

  /** A model with its reference count: 1 for being current, plus 1 per open lease. */
  private static final class Counted {
    final ServableModel model;
    final AtomicInteger references = new AtomicInteger(1);

    Counted(ServableModel model) {
      this.model = model;
    }

    /** Takes a reference unless the model has already been released for good. */
    boolean retain() {
      int n;
      do {
        n = references.get();
        if (n == 0) {
          return false;
        }
      } while (!references.compareAndSet(n, n + 1));
      return true;
    }

    void release() {
      int left = references.decrementAndGet();
      if (left == 0) {
        closeQuietly(model);
      } else if (left < 0) {
        throw new IllegalStateException("model " + model.id() + " released more than taken");
      }
    }
  }

  /** One reader's hold on a model: it stays open until {@link #close}. */
  public static final class Lease implements AutoCloseable {
    private final Counted counted;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(Counted counted) {
      this.counted = counted;
    }

    /** The model to check, predict and label with. */
    public ServableModel model() {
      return counted.model;
    }

    /** Releases the hold; the model is closed now if it was swapped out and this was the last. */
    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        counted.release();
      }
    }
  }
}
