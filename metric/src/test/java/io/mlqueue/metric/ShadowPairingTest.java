package io.mlqueue.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ShadowPairingTest {
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final InstantSource clock = () -> now.get();
  private final ShadowPairing<String> pairing =
      new ShadowPairing<>(3, Duration.ofMinutes(10), clock);

  @Test
  void oneTruthPairsWithThePredictionsOfEveryModelInEitherOrder() {
    assertThat(pairing.prediction("1", "b:1", 5, "h1")).isEmpty();
    assertThat(pairing.prediction("1", "c:1", 6, "h2")).isEmpty();
    assertThat(pairing.truth("1", 4))
        .extracting(ShadowPairing.Match::model)
        .containsExactly("b:1", "c:1");
    assertThat(pairing.prediction("1", "d:1", 7, "h3"))
        .get()
        .isEqualTo(new ShadowPairing.Match<>("1", "d:1", 4.0, 7.0, "h3"));
    assertThat(pairing.waitingCount()).isZero();
  }

  @Test
  void truthsAreForgottenPastTheirCountOrAgeAndWaitingPredictionsExpireAsOrphans() {
    pairing.truth("1", 1);
    pairing.truth("2", 2);
    pairing.truth("3", 3);
    pairing.truth("4", 4); // over the count: "1" goes
    assertThat(pairing.prediction("1", "b:1", 0, "late")).isEmpty();
    assertThat(pairing.prediction("2", "b:1", 0, "ok")).isPresent();
    now.set(now.get().plus(Duration.ofMinutes(11)));
    assertThat(pairing.evictExpired())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.handle()).isEqualTo("late");
              assertThat(e.age()).isEqualTo(Duration.ofMinutes(11));
            });
    assertThat(pairing.truthCount()).isZero();
    assertThat(pairing.prediction("2", "b:1", 0, "again")).isEmpty();
  }
}
