package io.mlqueue.gateway;

import io.mlqueue.contract.ModelDescription;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link Predictor} whose answer each test chooses, and which remembers what it was asked. By
 * default it answers at once with the sum of each instance's values, from model {@code fake:1}, and
 * describes that model as reading features {@code a} and {@code b} and predicting {@code y}.
 */
public final class FakePredictor implements Predictor {
  static final String MODEL = "fake:1";
  static final ModelDescription DESCRIPTION =
      new ModelDescription("fake", "1", List.of("a", "b"), "y", "mlqueue_linear");

  private volatile Function<PredictRequest, CompletableFuture<PredictReply>> behavior =
      r -> CompletableFuture.completedFuture(sums(r));
  private volatile Readiness readiness = new Readiness(true, 1);
  private volatile Supplier<CompletableFuture<ModelDescription>> describer =
      () -> CompletableFuture.completedFuture(DESCRIPTION);
  final AtomicInteger describes = new AtomicInteger();
  final List<PredictRequest> requests = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<PredictReply>> calls = new CopyOnWriteArrayList<>();

  /** The reply a model computing the sum of the features would give. */
  static PredictReply.Predictions sums(PredictRequest r) {
    double[] out = new double[r.instances().length];
    for (int i = 0; i < out.length; i++) {
      for (double v : r.instances()[i]) {
        out[i] += v;
      }
    }
    return new PredictReply.Predictions(r.id(), out, MODEL);
  }

  void answer(Function<PredictRequest, CompletableFuture<PredictReply>> behavior) {
    this.behavior = behavior;
  }

  void readiness(Readiness readiness) {
    this.readiness = readiness;
  }

  void describeWith(Supplier<CompletableFuture<ModelDescription>> describer) {
    this.describer = describer;
  }

  void reset() {
    answer(r -> CompletableFuture.completedFuture(sums(r)));
    readiness(new Readiness(true, 1));
    describeWith(() -> CompletableFuture.completedFuture(DESCRIPTION));
    describes.set(0);
    requests.clear();
    calls.clear();
  }

  PredictRequest last() {
    return requests.get(requests.size() - 1);
  }

  @Override
  public CompletableFuture<PredictReply> predict(PredictRequest request, Duration timeout) {
    requests.add(request);
    CompletableFuture<PredictReply> call = behavior.apply(request);
    calls.add(call);
    return call;
  }

  @Override
  public CompletableFuture<ModelDescription> describe(Duration timeout) {
    describes.incrementAndGet();
    return describer.get();
  }

  @Override
  public Readiness readiness() {
    return readiness;
  }

  @Override
  public void close() {}
}
