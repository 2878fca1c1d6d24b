package io.mlqueue.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.mlqueue.contract.MessageId;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairingBufferTest {
  private static final MessageId A = MessageId.of("a");
  private static final MessageId B = MessageId.of("b");
  private static final MessageId C = MessageId.of("c");

  /** A clock the test moves by hand. */
  private static final class ManualClock implements InstantSource {
    private Instant now = Instant.parse("2024-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  private final ManualClock clock = new ManualClock();
  private final PairingBuffer<String> buffer =
      new PairingBuffer<>(PairingBuffer.Config.DEFAULT, clock);

  private static Pair<String> paired(OfferResult<String> result) {
    assertThat(result).isInstanceOf(OfferResult.Paired.class);
    return result instanceof OfferResult.Paired<String> p ? p.pair() : null;
  }

  private static void assertWaiting(OfferResult<String> result) {
    assertThat(result).isEqualTo(new OfferResult.Waiting<String>(List.of()));
  }

  @Test
  void truthFirstThenPrediction() {
    assertWaiting(buffer.offerTrue(A, 10.0, "t"));
    assertThat(buffer.pendingCount()).isEqualTo(1);

    Pair<String> pair = paired(buffer.offerPred(A, 12.5, "p"));

    assertThat(pair).isEqualTo(new Pair<>(A, 10.0, 12.5, "t", "p"));
    assertThat(buffer.pendingCount()).isZero();
    assertThat(buffer.pairedCount()).isEqualTo(1);
  }

  @Test
  void predictionFirstThenTruth() {
    assertWaiting(buffer.offerPred(A, 12.5, "p"));

    Pair<String> pair = paired(buffer.offerTrue(A, 10.0, "t"));

    assertThat(pair).isEqualTo(new Pair<>(A, 10.0, 12.5, "t", "p"));
    assertThat(pair.toRow().absoluteError()).isEqualTo(2.5);
  }

  @Test
  void aWaitingHalfCanBeTakenOutWhenItsRowTurnsOutToBeLoggedAlready() {
    assertWaiting(buffer.offerPred(A, 12.5, "p"));
    assertWaiting(buffer.offerTrue(B, 1, "tB"));

    assertThat(buffer.remove(A)).contains("p");
    assertThat(buffer.remove(A)).isEmpty();
    assertThat(buffer.remove(C)).isEmpty();
    assertThat(buffer.pendingCount()).isEqualTo(1);
    assertWaiting(buffer.offerTrue(A, 10.0, "t")); // no partner any more
  }

  @Test
  void interleavedIdsPairWithTheirOwnPartner() {
    assertWaiting(buffer.offerTrue(A, 1, "tA"));
    assertWaiting(buffer.offerTrue(B, 2, "tB"));
    assertWaiting(buffer.offerPred(C, 30, "pC"));
    assertThat(paired(buffer.offerPred(B, 20, "pB"))).isEqualTo(new Pair<>(B, 2, 20, "tB", "pB"));
    assertThat(paired(buffer.offerTrue(C, 3, "tC"))).isEqualTo(new Pair<>(C, 3, 30, "tC", "pC"));
    assertThat(paired(buffer.offerPred(A, 10, "pA"))).isEqualTo(new Pair<>(A, 1, 10, "tA", "pA"));
    assertThat(buffer.pendingCount()).isZero();
    assertThat(buffer.pairedCount()).isEqualTo(3);
  }

  @Test
  void stringAndNumberIdsWithTheSameTextDoNotPair() {
    assertWaiting(buffer.offerTrue(MessageId.of("1"), 1, "t"));
    assertWaiting(buffer.offerPred(MessageId.ofNumber("1"), 2, "p"));
    assertThat(buffer.pendingCount()).isEqualTo(2);
  }

  @Test
  void repeatedHalfHandsBackTheEarlierHandleAndKeepsTheNewer() {
    assertWaiting(buffer.offerTrue(A, 1, "first"));

    OfferResult<String> repeat = buffer.offerTrue(A, 1, "second");

    assertThat(repeat).isEqualTo(new OfferResult.Duplicate<>(A, Half.TRUE, "first"));
    assertThat(buffer.pendingCount()).isEqualTo(1);
    assertThat(buffer.duplicateCount()).isEqualTo(1);
    assertThat(paired(buffer.offerPred(A, 2, "p"))).isEqualTo(new Pair<>(A, 1, 2, "second", "p"));
  }

  @Test
  void repeatedPredictionIsReportedAsPredictionHalf() {
    buffer.offerPred(A, 2, "p1");
    assertThat(buffer.offerPred(A, 2, "p2"))
        .isEqualTo(new OfferResult.Duplicate<>(A, Half.PRED, "p1"));
  }

  @Test
  void repeatedHalfKeepsItsOriginalArrivalTime() {
    buffer.offerTrue(A, 1, "first");
    clock.advance(Duration.ofMinutes(6));
    buffer.offerTrue(A, 1, "second");
    clock.advance(Duration.ofMinutes(5));

    List<Orphan<String>> expired = buffer.evictExpired();

    assertThat(expired)
        .containsExactly(
            new Orphan<>(A, Half.TRUE, 1, "second", Duration.ofMinutes(11), Orphan.Reason.EXPIRED));
  }

  @Test
  void overflowEvictsTheOldestPendingHalves() {
    PairingBuffer<String> small =
        new PairingBuffer<>(new PairingBuffer.Config(2, Duration.ofMinutes(10)), clock);
    small.offerTrue(A, 1, "tA");
    clock.advance(Duration.ofSeconds(3));
    small.offerPred(B, 2, "pB");

    OfferResult<String> third = small.offerTrue(C, 3, "tC");

    assertThat(third)
        .isEqualTo(
            new OfferResult.Waiting<>(
                List.of(
                    new Orphan<>(
                        A, Half.TRUE, 1, "tA", Duration.ofSeconds(3), Orphan.Reason.OVERFLOW))));
    assertThat(small.pendingCount()).isEqualTo(2);
    assertThat(small.overflowCount()).isEqualTo(1);
    assertThat(small.expiredCount()).isZero();
    assertThat(paired(small.offerPred(C, 30, "pC"))).isEqualTo(new Pair<>(C, 3, 30, "tC", "pC"));
    // The evicted id starts over rather than pairing with the forgotten half.
    assertWaiting(small.offerPred(A, 10, "pA"));
    assertThat(paired(small.offerTrue(B, 20, "tB"))).isEqualTo(new Pair<>(B, 20, 2, "tB", "pB"));
  }

  @Test
  void overflowKeepsHalvesThatAreMerelyWaitingForALaggingStream() {
    // y_true far ahead of y_pred (a model working off a backlog): over the bound, but every
    // y_true is younger than the latest prediction's sent_at, so none is an orphan.
    PairingBuffer<String> small =
        new PairingBuffer<>(new PairingBuffer.Config(3, Duration.ofMinutes(10)), clock);
    long t0 = 1_700_000_000_000L;
    small.offer(Half.PRED, MessageId.of("p0"), 1, "p0", t0);
    for (int i = 1; i <= 10; i++) {
      assertThat(small.offer(Half.TRUE, MessageId.of("t" + i), i, "t" + i, t0 + i * 1_000L))
          .isEqualTo(new OfferResult.Waiting<String>(List.of()));
    }
    assertThat(small.pendingCount()).isEqualTo(11);
    assertThat(small.overflowCount()).isZero();
    assertThat(paired(small.offer(Half.PRED, MessageId.of("t1"), 1.5, "pt1", t0 + 1_000L)).id())
        .isEqualTo(MessageId.of("t1"));
  }

  @Test
  void overflowEvictsHalvesTheOtherStreamHasMovedPast() {
    PairingBuffer<String> small =
        new PairingBuffer<>(new PairingBuffer.Config(2, Duration.ofMinutes(10)), clock);
    long t0 = 1_700_000_000_000L;
    // A y_true whose feature vector was dead-lettered: no prediction will ever come for it.
    small.offer(Half.TRUE, MessageId.of("lost"), 1, "t-lost", t0);
    small.offer(Half.TRUE, MessageId.of("x"), 2, "t-x", t0 + 40_000);
    // Predictions 40 s (sent_at) later than the lost one arrive: the stream has moved past it.
    OfferResult<String> result = small.offer(Half.PRED, MessageId.of("y"), 3, "p-y", t0 + 40_000);

    assertThat(result).isInstanceOf(OfferResult.Waiting.class);
    List<Orphan<String>> evicted = ((OfferResult.Waiting<String>) result).evicted();
    assertThat(evicted).extracting(Orphan::id).containsExactly(MessageId.of("lost"));
    assertThat(evicted.get(0).reason()).isEqualTo(Orphan.Reason.OVERFLOW);
    assertThat(small.pendingCount()).isEqualTo(2);
  }

  @Test
  void withinTheMarginAHalfIsLateNotLost() {
    PairingBuffer<String> small =
        new PairingBuffer<>(new PairingBuffer.Config(1, Duration.ofMinutes(10)), clock);
    long t0 = 1_700_000_000_000L;
    small.offer(Half.TRUE, MessageId.of("a"), 1, "t-a", t0);
    OfferResult<String> result =
        small.offer(
            Half.PRED, MessageId.of("b"), 2, "p-b", t0 + PairingBuffer.ORPHAN_MARGIN_MILLIS - 1);
    assertThat(result).isEqualTo(new OfferResult.Waiting<String>(List.of()));
    assertThat(small.pendingCount()).isEqualTo(2);
  }

  @Test
  void repeatedHalfDoesNotOverflow() {
    PairingBuffer<String> one =
        new PairingBuffer<>(new PairingBuffer.Config(1, Duration.ofMinutes(10)), clock);
    one.offerTrue(A, 1, "t1");
    assertThat(one.offerTrue(A, 1, "t2")).isInstanceOf(OfferResult.Duplicate.class);
    assertThat(one.overflowCount()).isZero();
  }

  @Test
  void halvesOlderThanMaxAgeExpire() {
    buffer.offerTrue(A, 1, "tA");
    clock.advance(Duration.ofMinutes(5));
    buffer.offerPred(B, 2, "pB");
    clock.advance(Duration.ofMinutes(5));
    assertThat(buffer.evictExpired()).as("exactly max age is not yet expired").isEmpty();

    clock.advance(Duration.ofSeconds(1));
    List<Orphan<String>> expired = buffer.evictExpired();

    assertThat(expired)
        .containsExactly(
            new Orphan<>(
                A,
                Half.TRUE,
                1,
                "tA",
                Duration.ofMinutes(10).plusSeconds(1),
                Orphan.Reason.EXPIRED));
    assertThat(buffer.pendingCount()).isEqualTo(1);
    assertThat(buffer.expiredCount()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(5));
    assertThat(buffer.evictExpired())
        .extracting(Orphan::id, Orphan::half)
        .containsExactly(tuple(B, Half.PRED));
    assertThat(buffer.expiredCount()).isEqualTo(2);
    assertThat(buffer.pendingCount()).isZero();
  }

  @Test
  void clockSteppingBackDoesNotGiveNegativeAges() {
    PairingBuffer<String> small =
        new PairingBuffer<>(new PairingBuffer.Config(1, Duration.ofMinutes(10)), clock);
    small.offerTrue(A, 1, "tA");
    clock.advance(Duration.ofMinutes(-1));
    OfferResult<String> result = small.offerTrue(B, 2, "tB");
    assertThat(result)
        .isEqualTo(
            new OfferResult.Waiting<>(
                List.of(
                    new Orphan<>(A, Half.TRUE, 1, "tA", Duration.ZERO, Orphan.Reason.OVERFLOW))));
  }

  @Test
  void clearForgetsEverythingPending() {
    buffer.offerTrue(A, 1, "tA");
    buffer.offerPred(B, 2, "pB");
    assertThat(buffer.clear()).isEqualTo(2);
    assertThat(buffer.pendingCount()).isZero();
    assertWaiting(buffer.offerPred(A, 1, "pA"));
  }

  @Test
  void configRejectsNonsense() {
    assertThatThrownBy(() -> new PairingBuffer.Config(0, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PairingBuffer.Config(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
