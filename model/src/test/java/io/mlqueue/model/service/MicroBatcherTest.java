package io.mlqueue.model.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The worker's micro-batching of request/reply calls, with calls that are just their row counts.
 */
class MicroBatcherTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstBatchMayFinish = new CountDownLatch(1);

  /**
   * Records each batch; the first one blocks until the test lets it go, as a slow predict would.
   */
  private void flush(List<Integer> batch) {
    batches.add(List.copyOf(batch));
    if (batches.size() == 1) {
      try {
        firstBatchMayFinish.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final List<List<Integer>> failed = new CopyOnWriteArrayList<>();

  private MicroBatcher<Integer> batcher(int maxRows, Duration maxWait) {
    return batcher(maxRows, maxWait, this::flush);
  }

  private MicroBatcher<Integer> batcher(
      int maxRows, Duration maxWait, java.util.function.Consumer<List<Integer>> flush) {
    return new MicroBatcher<>(
        new MicroBatcher.Limits(maxRows, maxWait),
        rows -> rows,
        flush,
        (batch, cause) -> failed.add(List.copyOf(batch)),
        "test-batcher");
  }

  @Test
  void aLoneCallGoesAtOnceAloneWhenNothingIsToBeWaitedFor() throws Exception {
    firstBatchMayFinish.countDown();
    try (MicroBatcher<Integer> batcher = batcher(64, Duration.ZERO)) {
      batcher.add(1);
      await().atMost(DEADLINE).until(() -> batches.size() == 1);
    }
    assertThat(batches).containsExactly(List.of(1));
  }

  @Test
  void callsThatQueueWhileABatchIsPredictedGoTogetherUpToTheRowLimit() throws Exception {
    try (MicroBatcher<Integer> batcher = batcher(4, Duration.ZERO)) {
      batcher.add(1);
      await().atMost(DEADLINE).until(() -> batches.size() == 1); // now predicting, blocked
      for (int i = 0; i < 10; i++) {
        batcher.add(1);
      }
      firstBatchMayFinish.countDown();
      await().atMost(DEADLINE).until(() -> batches.size() == 4);
    }
    assertThat(batches)
        .containsExactly(List.of(1), List.of(1, 1, 1, 1), List.of(1, 1, 1, 1), List.of(1, 1));
  }

  @Test
  void aCallIsNeverSplitSoTheLastOneMayTakeABatchPastTheLimit() throws Exception {
    try (MicroBatcher<Integer> batcher = batcher(4, Duration.ZERO)) {
      batcher.add(1);
      await().atMost(DEADLINE).until(() -> batches.size() == 1);
      batcher.add(3);
      batcher.add(5);
      batcher.add(2);
      firstBatchMayFinish.countDown();
      await().atMost(DEADLINE).until(() -> batches.size() == 3);
    }
    assertThat(batches).containsExactly(List.of(1), List.of(3, 5), List.of(2));
  }

  @Test
  void withAWaitTheFirstCallWaitsForMoreToCome() throws Exception {
    firstBatchMayFinish.countDown();
    try (MicroBatcher<Integer> batcher = batcher(64, Duration.ofSeconds(5))) {
      batcher.add(1);
      Thread.sleep(50); // well inside the wait
      batcher.add(2);
      // 64 rows end the wait at once: the batch goes without waiting the full 5 s.
      batcher.add(61);
      await().atMost(Duration.ofSeconds(4)).until(() -> batches.size() == 1);
    }
    assertThat(batches).containsExactly(List.of(1, 2, 61));
  }

  @Test
  void closingHandsOnWhatIsQueued() throws Exception {
    MicroBatcher<Integer> batcher = batcher(2, Duration.ZERO);
    batcher.add(1);
    await().atMost(DEADLINE).until(() -> batches.size() == 1);
    batcher.add(1);
    batcher.add(1);
    batcher.add(1);
    firstBatchMayFinish.countDown();
    batcher.close(DEADLINE);

    assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(4);
  }

  @Test
  void aBatchWhoseFlushThrowsGoesToTheFailureHandlerAndTheNextOnesStillFlow() throws Exception {
    try (MicroBatcher<Integer> batcher =
        batcher(
            64,
            Duration.ZERO,
            batch -> {
              if (batch.contains(7)) {
                throw new IllegalStateException("the live model is closed");
              }
              if (batch.contains(8)) {
                throw new StackOverflowError(); // an Error must not end the thread either
              }
              batches.add(List.copyOf(batch));
            })) {
      batcher.add(7);
      await().atMost(DEADLINE).until(() -> failed.size() == 1);
      batcher.add(8);
      await().atMost(DEADLINE).until(() -> failed.size() == 2);
      batcher.add(1);
      await().atMost(DEADLINE).until(() -> batches.size() == 1);
    }
    assertThat(failed).containsExactly(List.of(7), List.of(8));
    assertThat(batches).containsExactly(List.of(1));
  }

  @Test
  void limitsAreCheckedWithTheOptionsTheyComeFrom() {
    assertThatThrownBy(() -> new MicroBatcher.Limits(0, Duration.ZERO))
        .hasMessageContaining("--batch-size must be at least 1");
    assertThatThrownBy(() -> new MicroBatcher.Limits(1, Duration.ofMillis(-1)))
        .hasMessageContaining("--batch-wait must not be negative");
  }
}
