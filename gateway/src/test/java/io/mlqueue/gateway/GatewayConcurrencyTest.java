package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.gateway.GatewayClient.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many clients at once: each gets the answer to its own request, never another's. */
class GatewayConcurrencyTest {
  private static final int THREADS = 64;
  private static final int REQUESTS = 50;

  /** Answers later, on another thread, in shuffled order: f(row) = 1000 × row[0] + row[1]. */
  private static final class AsyncPredictor implements Predictor {
    final Map<String, double[]> seen = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<PredictReply> predict(PredictRequest request, Duration timeout) {
      double[] row = request.instances()[0];
      seen.put(request.id().text(), row);
      var delayed =
          CompletableFuture.delayedExecutor(
              ThreadLocalRandom.current().nextInt(0, 3000), TimeUnit.MICROSECONDS);
      return CompletableFuture.supplyAsync(
          () ->
              new PredictReply.Predictions(
                  request.id(), new double[] {1000 * row[0] + row[1]}, "fake:1"),
          delayed);
    }

    @Override
    public Readiness readiness() {
      return new Readiness(true, 1);
    }

    @Override
    public void close() {}
  }

  @Test
  void everyResponseAnswersItsOwnRequest() throws Exception {
    AsyncPredictor predictor = new AsyncPredictor();
    try (GatewayServer server =
            GatewayServer.start(
                GatewayConfig.defaults()
                    .withHost("127.0.0.1")
                    .withPort(0)
                    .withTimeout(Duration.ofSeconds(10)),
                predictor,
                GatewayTimeoutTest.registry());
        ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
      GatewayClient client = new GatewayClient(server.url());
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<String>>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  List<String> problems = new ArrayList<>();
                  for (int i = 0; i < REQUESTS; i++) {
                    Answer a = client.postJson("{\"features\": [" + thread + ", " + i + ", 0.25]}");
                    double expected = 1000.0 * thread + i;
                    String id = a.json() == null ? null : a.json().path("id").asText();
                    double[] asked = id == null ? null : predictor.seen.get(id);
                    if (a.status() != 200
                        || a.json().path("prediction").asDouble() != expected
                        || asked == null
                        || asked[0] != thread
                        || asked[1] != i) {
                      problems.add("thread " + thread + " request " + i + ": " + a.body());
                    }
                  }
                  return problems;
                }));
      }
      go.countDown();

      List<String> problems = new ArrayList<>();
      for (Future<List<String>> r : results) {
        problems.addAll(r.get(2, TimeUnit.MINUTES));
      }
      assertThat(problems).isEmpty();
      assertThat(predictor.seen).hasSize(THREADS * REQUESTS);
    }
  }
}
