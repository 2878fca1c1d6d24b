package io.mlqueue.gateway.v2;

import io.mlqueue.contract.InvalidMessageException;
import io.mlqueue.contract.ModelDescription;
import io.mlqueue.gateway.ApiError;
import io.mlqueue.gateway.PredictionCall;
import io.mlqueue.gateway.Predictor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which models the workers serve, as far as the gateway can tell: the description each describe
 * call returns (by model name), and the {@code name:version} of every model that answered a
 * prediction lately. Every worker consumes the same queue, so the gateway cannot choose a worker,
 * only learn what they serve.
 *
 * <p>A version counts as served when a worker described it last or answered with it within the last
 * {@link #SERVED_WINDOW}: during a hot swap, or while workers serve different versions, the old and
 * the new version are both listed, and a request for either is sent (the answer names the version
 * that computed it; {@link OpenInferenceApi} refuses one from another version than asked for).
 * Thread-safe.
 */
final class ServedModels {
  private static final Logger LOG = LoggerFactory.getLogger(ServedModels.class);

  /** A version that answered within this is still served. */
  static final Duration SERVED_WINDOW = Duration.ofSeconds(30);

  /** Model metadata older than this is asked for again, so a swapped model shows soon. */
  static final Duration METADATA_MAX_AGE = Duration.ofSeconds(5);

  /** An unknown name asks the workers at most this often: a client cannot flood them with it. */
  static final Duration REDESCRIBE_INTERVAL = Duration.ofSeconds(1);

  private static final long SEEN_RESOLUTION_NANOS = Duration.ofSeconds(1).toNanos();

  private record Described(ModelDescription model, long at) {}

  private final Predictor predictor;
  private final Duration timeout;
  private final LongSupplier clock;
  private final Map<String, Described> byName = new ConcurrentHashMap<>();
  private final Map<String, Long> seen = new ConcurrentHashMap<>();
  private CompletableFuture<ModelDescription> describing; // guarded by this
  private long lastDescribe = Long.MIN_VALUE / 2; // guarded by this; clock time
  private volatile ApiError lastFailure; // of the latest describe call; null if it succeeded

  /**
   * @param timeout how long a describe call may take
   * @param clock {@link System#nanoTime} or a test's
   */
  ServedModels(Predictor predictor, Duration timeout, LongSupplier clock) {
    this.predictor = predictor;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** A model answered with {@code id} ({@code name:version}) just now. */
  void seen(String id) {
    long now = clock.getAsLong();
    Long last = seen.get(id);
    // Every prediction passes here: a write only when the entry is a second old, so the threads
    // answering requests share the entry's cache line for reading.
    if (last == null || now - last > SEEN_RESOLUTION_NANOS) {
      seen.put(id, now);
    }
  }

  /**
   * What an inference request for {@code name} (and {@code version}, if not null) needs: the
   * description of that model. Asks the workers when the name or version is not known, and waits
   * for the answer; when what is known is older than {@link #SERVED_WINDOW}, asks again without
   * waiting (so a model no worker serves any more is forgotten, and no request waits for it).
   *
   * @throws ApiError 404 model_not_found, or as a call fails (503, 504)
   */
  ModelDescription forInference(String name, String version) throws ApiError {
    return resolve(name, version, SERVED_WINDOW.toNanos(), false);
  }

  /**
   * As {@link #forInference}, for metadata and readiness: asks the workers again when what the
   * gateway knows is older than {@link #METADATA_MAX_AGE}.
   */
  ModelDescription forMetadata(String name, String version) throws ApiError {
    return resolve(name, version, METADATA_MAX_AGE.toNanos(), true);
  }

  /** The versions of {@code name} served now, in order (numbers by value). */
  List<String> versions(String name) {
    long now = clock.getAsLong();
    TreeSet<String> versions = new TreeSet<>(VERSION_ORDER);
    Described d = byName.get(name);
    if (d != null) {
      versions.add(d.model().version());
    }
    String prefix = name + ":";
    seen.forEach(
        (id, at) -> {
          if (id.startsWith(prefix) && now - at <= SERVED_WINDOW.toNanos()) {
            versions.add(id.substring(prefix.length()));
          }
        });
    return List.copyOf(versions);
  }

  private ModelDescription resolve(
      String name, String version, long maxAgeNanos, boolean waitIfStale) throws ApiError {
    long now = clock.getAsLong();
    Described d = byName.get(name);
    boolean stale = d != null && now - d.at() > maxAgeNanos;
    if (stale && !waitIfStale && serves(d, name, version, now)) {
      refreshLater();
      return d.model();
    }
    if (d == null || stale || !serves(d, name, version, now)) {
      ApiError failed = describe(stale);
      d = byName.get(name);
      if (d == null && failed != null) {
        throw failed;
      }
    }
    if (d == null) {
      throw new ApiError(
          404,
          ApiError.MODEL_NOT_FOUND,
          "no model named '" + abbreviate(name) + "' is served here" + servedNow());
    }
    if (!serves(d, name, version, clock.getAsLong())) {
      throw new ApiError(
          404,
          ApiError.MODEL_NOT_FOUND,
          "model '"
              + name
              + "' has no version '"
              + abbreviate(version)
              + "' served here; served"
              + " now: "
              + String.join(", ", versions(name)));
    }
    return d.model();
  }

  private boolean serves(Described d, String name, String version, long now) {
    if (version == null || version.equals(d.model().version())) {
      return true;
    }
    Long at = seen.get(name + ":" + version);
    return at != null && now - at <= SERVED_WINDOW.toNanos();
  }

  /**
   * Asks a worker which model it serves and records the answer; callers at the same time share one
   * call. Unless {@code force}, asks at most once per {@link #REDESCRIBE_INTERVAL}, and between two
   * calls answers as the last one did.
   *
   * @return why the call failed, or null
   */
  /** Asks the workers again on another thread; the caller goes on with what is known. */
  private void refreshLater() {
    synchronized (this) {
      if (describing != null && !describing.isDone()) {
        return;
      }
    }
    Thread.ofVirtual().name("gateway-describe").start(() -> describe(true));
  }

  private ApiError describe(boolean force) {
    ApiError failure = describeNow(force);
    lastFailure = failure;
    return failure;
  }

  private ApiError describeNow(boolean force) {
    CompletableFuture<ModelDescription> call;
    synchronized (this) {
      long now = clock.getAsLong();
      if (describing == null || describing.isDone()) {
        if (!force && now - lastDescribe < REDESCRIBE_INTERVAL.toNanos()) {
          return lastFailure;
        }
        lastDescribe = now;
        try {
          describing = predictor.describe(timeout);
        } catch (RuntimeException e) {
          describing = CompletableFuture.failedFuture(e);
        }
      }
      call = describing;
    }
    try {
      // Not cancelled on a timeout: other requests may wait for the same call.
      ModelDescription model = call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      long now = clock.getAsLong();
      byName.put(model.name(), new Described(model, now));
      seen.put(model.id(), now);
      seen.values().removeIf(at -> now - at > SERVED_WINDOW.toNanos());
      // A model that no worker described or answered with lately is no longer served.
      byName.values().removeIf(d -> now - d.at() > SERVED_WINDOW.toNanos() && !answered(d, now));
      return null;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof InvalidMessageException
          || e.getCause() instanceof UnsupportedOperationException) {
        LOG.warn(
            "gateway: a model worker did not describe its model: {}", e.getCause().getMessage());
        return new ApiError(
            503,
            ApiError.SERVICE_UNAVAILABLE,
            "the model workers did not describe their model; the Open Inference API needs"
                + " workers of this mlqueue version or later (the gateway's log has their answer)");
      }
      return PredictionCall.failure(e.getCause(), null, timeout);
    } catch (TimeoutException e) {
      return PredictionCall.failure(e, null, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ApiError(503, ApiError.SERVICE_UNAVAILABLE, "the gateway is stopping; retry");
    }
  }

  private boolean answered(Described d, long now) {
    String prefix = d.model().name() + ":";
    return seen.entrySet().stream()
        .anyMatch(
            e -> e.getKey().startsWith(prefix) && now - e.getValue() <= SERVED_WINDOW.toNanos());
  }

  private String servedNow() {
    List<String> names = new ArrayList<>(byName.keySet());
    names.sort(Comparator.naturalOrder());
    return names.isEmpty() ? "" : "; served now: " + String.join(", ", names);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /** Registry versions are numbers: 10 comes after 9. Other versions in text order, after them. */
  private static final Comparator<String> VERSION_ORDER =
      Comparator.<String, Boolean>comparing(v -> !v.chars().allMatch(Character::isDigit))
          .thenComparing(v -> v.chars().allMatch(Character::isDigit) ? v.length() : 0)
          .thenComparing(Comparator.naturalOrder());
}
