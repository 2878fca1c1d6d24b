package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.gateway.GatewayClient.Answer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The gateway's own deadline, and its lifecycle. */
class GatewayTimeoutTest {
  private static final Duration TIMEOUT = Duration.ofMillis(200);

  @Test
  void answers504AfterTheTimeoutAndEndsTheCall() {
    FakePredictor predictor = new FakePredictor();
    predictor.answer(r -> new CompletableFuture<PredictReply>()); // never answers
    try (GatewayServer server = start(predictor, TIMEOUT)) {
      GatewayClient client = new GatewayClient(server.url());
      client.postJson("{\"features\": [1]}"); // warm up the connection and the code path

      long start = System.nanoTime();
      Answer a = client.postJson("{\"features\": [1]}");
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(a.status()).isEqualTo(504);
      assertThat(a.code()).isEqualTo("timeout");
      assertThat(a.message()).contains("timeout of 200 ms");
      assertThat(a.json().get("id").asText()).isEqualTo(predictor.last().id().text());
      assertThat(took).isBetween(TIMEOUT, TIMEOUT.plusMillis(800));
      // The gateway completes the abandoned call, so the predictor forgets it: no pending leak.
      assertThat(predictor.calls).allMatch(CompletableFuture::isCancelled);
    }
  }

  @Test
  void refusesToStartOnATakenPortInOneMessageWithoutAStackTraceInTheLog() {
    FakePredictor predictor = new FakePredictor();
    // Helidon logs through java.util.logging; a failed bind there is an ERROR with a stack trace.
    List<LogRecord> helidonErrors = new CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
              helidonErrors.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger helidon = Logger.getLogger("io.helidon");
    helidon.addHandler(handler);
    try (GatewayServer first = start(predictor, TIMEOUT)) {
      GatewayConfig same = GatewayConfig.defaults().withHost("127.0.0.1").withPort(first.port());

      assertThatThrownBy(() -> GatewayServer.start(same, predictor, registry()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "the gateway cannot listen on 127.0.0.1:"
                  + first.port()
                  + ": Address already in use");
      assertThat(helidonErrors).extracting(LogRecord::getMessage).isEmpty();
    } finally {
      helidon.removeHandler(handler);
    }
  }

  @Test
  void closeIsIdempotent() {
    GatewayServer server = start(new FakePredictor(), TIMEOUT);
    server.close();
    server.close();
  }

  static GatewayServer start(Predictor predictor, Duration timeout) {
    return GatewayServer.start(
        GatewayConfig.defaults().withHost("127.0.0.1").withPort(0).withTimeout(timeout),
        predictor,
        registry());
  }

  static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }
}
