package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mlqueue.model.service.LiveModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The follower's decisions, one {@code check()} at a time (its timer is set too slow to fire). */
class AliasFollowerTest {
  private static final Duration NEVER = Duration.ofHours(1);
  @TempDir Path dir;

  @Test
  void aVersionThatCannotBeReadIsTriedAgainUntilItLoadsAndCountedOnce() throws Exception {
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    registry.register("price", Fits.line(dir, 3, 2, -0.5), "production");
    registry.register("price", Fits.line(dir, 10, -1, 4), null);
    Path file = dir.resolve("registry/price/2/model.json");
    byte[] good = Files.readAllBytes(file);
    Files.writeString(file, "{\"format\": \"mlqueue-mo"); // a share half-synced, say
    LiveModel live = new LiveModel(registry.load("price", 1));

    try (AliasFollower follower =
        AliasFollower.start(
            registry, ModelReference.parse("registry:price@production"), live, NEVER)) {
      registry.setAlias("price", "production", 2);
      follower.check();
      follower.check();
      assertThat(live.current().id()).isEqualTo("price:1");
      assertThat(live.refusals()).isEqualTo(1);

      Files.write(file, good);
      follower.check();
    }

    assertThat(live.current().id()).isEqualTo("price:2");
    assertThat(live.swaps()).isEqualTo(1);
  }

  @Test
  void aVersionThatReadsOtherFeaturesIsRefusedOnceAndNotLoadedAgain() throws Exception {
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    registry.register("price", Fits.line(dir, 3, 2, -0.5), "production");
    registry.register("price", Fits.otherFeatures(dir), null);
    LiveModel live = new LiveModel(registry.load("price", 1));

    try (AliasFollower follower =
        AliasFollower.start(
            registry, ModelReference.parse("registry:price@production"), live, NEVER)) {
      registry.setAlias("price", "production", 2);
      follower.check();
      // Even made compatible on disk, a version is immutable: the follower does not look again.
      Files.delete(dir.resolve("registry/price/2/model.json"));
      follower.check();
    }

    assertThat(live.current().id()).isEqualTo("price:1");
    assertThat(live.refusals()).isEqualTo(1);
  }

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger followerLog = (Logger) LoggerFactory.getLogger(AliasFollower.class);

  @BeforeEach
  void captureTheLog() {
    logged.start();
    followerLog.addAppender(logged);
  }

  @AfterEach
  void stopCapturing() {
    followerLog.detachAppender(logged);
  }

  private List<ILoggingEvent> errors() {
    return logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
  }

  @Test
  void aVersionThatCannotBeReadIsLoggedWithItsCause() throws Exception {
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    registry.register("price", Fits.line(dir, 3, 2, -0.5), "production");
    registry.register("price", Fits.line(dir, 10, -1, 4), null);
    Files.writeString(dir.resolve("registry/price/2/model.json"), "{\"format\": \"mlqueue-mo");
    LiveModel live = new LiveModel(registry.load("price", 1));

    try (AliasFollower follower =
        AliasFollower.start(
            registry, ModelReference.parse("registry:price@production"), live, NEVER)) {
      registry.setAlias("price", "production", 2);
      follower.check();
    }

    assertThat(errors()).hasSize(1);
    ILoggingEvent error = errors().get(0);
    assertThat(error.getFormattedMessage())
        .contains("cannot load price:2", "still serving price:1");
    assertThat(error.getThrowableProxy()).as("the cause, with its stack trace").isNotNull();
  }

  @Test
  void aProblemThatLastsIsLoggedAgainNowAndThenNotAtEveryPoll() throws Exception {
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    registry.register("price", Fits.line(dir, 3, 2, -0.5), "production");
    LiveModel live = new LiveModel(registry.load("price", 1));

    try (AliasFollower follower =
        AliasFollower.start(
            registry, ModelReference.parse("registry:price@production"), live, NEVER)) {
      registry.removeAlias("price", "production");
      for (int poll = 0; poll < AliasFollower.REMIND_EVERY_POLLS; poll++) {
        follower.check();
      }
      assertThat(errors()).hasSize(1);
      follower.check();
    }

    assertThat(errors())
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "model: alias 'production' of model 'price' is not set any more; still serving price:1",
            "model: still: alias 'production' of model 'price' is not set any more; still serving"
                + " price:1 (for "
                + (AliasFollower.REMIND_EVERY_POLLS + 1)
                + " polls)");
  }
}
