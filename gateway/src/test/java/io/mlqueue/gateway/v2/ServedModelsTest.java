package io.mlqueue.gateway.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mlqueue.contract.ModelDescription;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.gateway.ApiError;
import io.mlqueue.gateway.Predictor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the gateway believes the workers serve, on a clock the test moves. */
class ServedModelsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  /** Describes whatever model the test sets, and counts the calls. */
  private static final class Workers implements Predictor {
    volatile ModelDescription serving = model("m", "1");
    final AtomicInteger describes = new AtomicInteger();

    @Override
    public CompletableFuture<ModelDescription> describe(Duration timeout) {
      describes.incrementAndGet();
      return CompletableFuture.completedFuture(serving);
    }

    @Override
    public CompletableFuture<PredictReply> predict(PredictRequest request, Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Readiness readiness() {
      return new Readiness(true, 1);
    }

    @Override
    public void close() {}
  }

  private final Workers workers = new Workers();
  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final ServedModels served = new ServedModels(workers, TIMEOUT, now::get);

  @Test
  void asksTheWorkersOnceThenAnswersFromWhatItKnows() throws ApiError {
    assertThat(served.forInference("m", null)).isEqualTo(model("m", "1"));
    assertThat(served.forInference("m", "1")).isEqualTo(model("m", "1"));
    advance(Duration.ofSeconds(4));
    assertThat(served.forMetadata("m", null).version()).isEqualTo("1");

    assertThat(workers.describes.get()).isEqualTo(1);
  }

  @Test
  void aVersionThatAnsweredLatelyIsServedUntilTheWindowPasses() throws ApiError {
    served.forInference("m", null);
    served.seen("m:2"); // another worker, already swapped

    assertThat(served.versions("m")).containsExactly("1", "2");
    assertThat(served.forInference("m", "2").name()).isEqualTo("m");

    advance(ServedModels.SERVED_WINDOW.plusSeconds(1));
    assertThat(served.versions("m")).containsExactly("1");
    assertThatThrownBy(() -> served.forInference("m", "2"))
        .isInstanceOf(ApiError.class)
        .hasMessage("model 'm' has no version '2' served here; served now: 1");
  }

  @Test
  void versionsAreListedInNumericOrder() throws ApiError {
    served.forInference("m", null);
    for (String v : List.of("10", "9", "2")) {
      served.seen("m:" + v);
    }
    assertThat(served.versions("m")).containsExactly("1", "2", "9", "10");
  }

  @Test
  void metadataOlderThanFiveSecondsIsAskedForAgainAndShowsASwap() throws ApiError {
    served.forMetadata("m", null);
    workers.serving = model("m", "2");
    advance(ServedModels.METADATA_MAX_AGE.plusMillis(1));

    assertThat(served.forMetadata("m", null).version()).isEqualTo("2");
    // Version 1 described itself 5 s ago: both are served as far as the gateway can tell.
    assertThat(served.versions("m")).containsExactly("1", "2");
    assertThat(workers.describes.get()).isEqualTo(2);
    advance(ServedModels.SERVED_WINDOW);
    assertThat(served.versions("m")).containsExactly("2");
  }

  @Test
  void aStaleModelIsAskedAboutInTheBackgroundWithoutHoldingAnInferenceRequest() throws ApiError {
    served.forInference("m", null);
    workers.serving = model("other", "1");
    advance(ServedModels.SERVED_WINDOW.plusSeconds(1));

    // Answered from what is known; the workers are asked meanwhile, and now serve another model.
    assertThat(served.forInference("m", null).name()).isEqualTo("m");
    await().atMost(Duration.ofSeconds(2)).until(() -> workers.describes.get() == 2);
    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> served.forInference("m", null))
                    .hasMessage("no model named 'm' is served here; served now: other"));
  }

  @Test
  void anUnknownNameAsksTheWorkersAtMostOnceASecond() {
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> served.forInference("x", null)).isInstanceOf(ApiError.class);
    }
    assertThat(workers.describes.get()).isEqualTo(1);
    advance(ServedModels.REDESCRIBE_INTERVAL);
    assertThatThrownBy(() -> served.forInference("x", null))
        .hasMessage("no model named 'x' is served here; served now: m");
    assertThat(workers.describes.get()).isEqualTo(2);
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  private static ModelDescription model(String name, String version) {
    return new ModelDescription(name, version, List.of("a", "b"), "y", "mlqueue_linear");
  }
}
