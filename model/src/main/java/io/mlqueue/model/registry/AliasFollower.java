package io.mlqueue.model.registry;

import io.mlqueue.model.ServableModel;
import io.mlqueue.model.service.LiveModel;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a worker's model on the version an alias points at: re-reads the alias every poll interval
 * and, when it has moved, loads that version and swaps it into the {@link LiveModel}. A version
 * that does not read the same rows is refused with an ERROR and the running model stays; versions
 * never change, so a refused one is not tried again until the alias has pointed elsewhere. A
 * version that cannot be read (a broken file, a network share away) is tried again at every poll,
 * with one ERROR, until it loads or the alias moves. A removed alias or a broken alias file also
 * keeps the running model, with one ERROR.
 *
 * <p>An ERROR caused by an exception carries it, stack trace and causes included. A problem that
 * lasts is logged again every {@value #REMIND_EVERY_POLLS} polls (10 minutes at the default {@code
 * --model-poll} of 5 s), so the recent log of a worker still says why it serves what it serves.
 */
public final class AliasFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AliasFollower.class);

  /** A problem that lasts is logged again after this many more polls. */
  static final int REMIND_EVERY_POLLS = 120;

  private final ModelRegistry registry;
  private final String name;
  private final String alias;
  private final LiveModel live;
  private final ScheduledExecutorService timer;
  // Only the timer thread touches these.
  private String lastProblem;
  private int pollsWithLastProblem;
  private String refusedVersion; // read and refused: versions never change, so not tried again
  private String
      unreadableVersion; // could not be read: tried again every poll (a share may be back)

  private AliasFollower(ModelRegistry registry, ModelReference reference, LiveModel live) {
    this.registry = registry;
    this.name = reference.name();
    this.alias =
        reference
            .followedAlias()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        reference + " is pinned to a version: nothing to follow"));
    this.live = live;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("model-alias-" + alias).unstarted(r));
  }

  /** Starts checking {@code reference}'s alias every {@code poll}. */
  public static AliasFollower start(
      ModelRegistry registry, ModelReference reference, LiveModel live, Duration poll) {
    if (poll.isNegative() || poll.isZero()) {
      throw new IllegalArgumentException("--model-poll must be positive, was " + poll);
    }
    AliasFollower follower = new AliasFollower(registry, reference, live);
    follower.timer.scheduleWithFixedDelay(
        follower::check, poll.toNanos(), poll.toNanos(), TimeUnit.NANOSECONDS);
    log.info("model: following {} every {} ms", reference, poll.toMillis());
    return follower;
  }

  /** One look at the alias; swaps if it moved. Never throws: the timer must keep running. */
  void check() {
    try {
      OptionalInt target = registry.alias(name, alias);
      ServableModel serving = live.current();
      if (target.isEmpty()) {
        problem(
            "alias '%s' of model '%s' is not set any more; still serving %s"
                .formatted(alias, name, serving.id()));
        return;
      }
      String version = String.valueOf(target.getAsInt());
      if (serving.name().equals(name) && serving.version().equals(version)) {
        lastProblem = null;
        refusedVersion = null;
        unreadableVersion = null;
        return;
      }
      if (version.equals(refusedVersion)) {
        if (lastProblem != null) {
          problem(lastProblem); // not loaded again, but the refusal still counts toward a reminder
        }
        return;
      }
      ServableModel next;
      try {
        next = registry.load(name, target.getAsInt());
      } catch (Exception e) {
        problem(
            "cannot load %s:%s, which alias '%s' points at: %s; still serving %s"
                .formatted(name, version, alias, describe(e), serving.id()),
            e);
        if (!version.equals(unreadableVersion)) {
          live.countRefusal(); // once per version, however many polls it stays unreadable
          unreadableVersion = version;
        }
        return;
      }
      // The live model owns next from here: it closes a refused one at once, a retired one once
      // its last prediction is done.
      Optional<String> refused = live.swap(next);
      if (refused.isPresent()) {
        problem(
            "refusing %s from alias '%s': %s; still serving %s"
                .formatted(next.id(), alias, refused.get(), serving.id()));
        refusedVersion = version;
        return;
      }
      lastProblem = null;
      refusedVersion = null;
      unreadableVersion = null;
      log.info("model: now serving {} (was {})", next.id(), serving.id());
    } catch (Exception e) {
      problem(
          "cannot read alias '%s' of model '%s': %s; still serving %s"
              .formatted(alias, name, describe(e), live.current().id()),
          e);
    }
  }

  private void problem(String message) {
    problem(message, null);
  }

  /**
   * Logs {@code message}, with {@code cause} if there is one; the same message again only every
   * {@value #REMIND_EVERY_POLLS} polls, until another problem or a success replaces it.
   */
  private void problem(String message, Exception cause) {
    if (message.equals(lastProblem)) {
      pollsWithLastProblem++;
      if (pollsWithLastProblem % REMIND_EVERY_POLLS == 1) {
        log.error("model: still: {} (for {} polls)", message, pollsWithLastProblem);
      }
      return;
    }
    lastProblem = message;
    pollsWithLastProblem = 1;
    if (cause == null) {
      log.error("model: {}", message);
    } else {
      log.error("model: {}", message, cause);
    }
  }

  /** The exception in words: its message, or its class when it has none (an NPE may not). */
  private static String describe(Exception e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getName() : m;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
