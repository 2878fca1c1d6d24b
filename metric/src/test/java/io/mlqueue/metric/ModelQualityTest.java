package io.mlqueue.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ModelQualityTest {
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<String> announced = new ArrayList<>();
  private final ModelQuality quality =
      new ModelQuality(
          Duration.ofMinutes(5),
          3,
          (t, p) -> Math.abs(t - p),
          () -> now.get(),
          (q, m) -> announced.add(m));

  @Test
  void theWindowForgetsOldRowsWhileTheTotalKeepsThem() {
    quality.add("a:1", 10, 12);
    now.set(now.get().plus(Duration.ofMinutes(6)));
    quality.add("a:1", 10, 11);
    quality.add("a:1", 20, 20);
    assertThat(quality.total("a:1").count()).isEqualTo(3);
    assertThat(quality.total("a:1").mae()).isEqualTo(1);
    assertThat(quality.total("a:1").cost()).isEqualTo(3);
    ModelQuality.Figures window = quality.window("a:1");
    assertThat(window.count()).isEqualTo(2);
    assertThat(window.mae()).isEqualTo(0.5);
    assertThat(window.rmse()).isCloseTo(Math.sqrt(0.5), within(1e-12));
    assertThat(window.r2()).isCloseTo(1 - 1 / 50.0, within(1e-12)); // SS_tot of {10, 20} is 50
    assertThat(window.costPerThousand()).isEqualTo(500);
    assertThat(announced).containsExactly("a:1");
  }

  @Test
  void theWindowHoldsAtMostItsRowCountAndAnUnknownModelHasNoFigures() {
    for (int i = 0; i < 5; i++) {
      quality.add("b:1", i, 0);
    }
    assertThat(quality.window("b:1").count()).isEqualTo(3);
    assertThat(quality.total("b:1").count()).isEqualTo(5);
    assertThat(quality.window("nobody:1").count()).isZero();
    assertThat(quality.window("nobody:1").mae()).isNaN();
  }
}
