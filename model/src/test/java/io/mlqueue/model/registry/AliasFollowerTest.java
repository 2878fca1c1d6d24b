package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.model.service.LiveModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        AliasFollower.start(registry, ModelReference.parse("registry:price@production"), live, NEVER)) {
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
        AliasFollower.start(registry, ModelReference.parse("registry:price@production"), live, NEVER)) {
      registry.setAlias("price", "production", 2);
      follower.check();
      // Even made compatible on disk, a version is immutable: the follower does not look again.
      Files.delete(dir.resolve("registry/price/2/model.json"));
      follower.check();
    }

    assertThat(live.current().id()).isEqualTo("price:1");
    assertThat(live.refusals()).isEqualTo(1);
  }
}
