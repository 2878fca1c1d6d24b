package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.gateway.GatewayClient.Answer;
import io.mlqueue.gateway.SlowClient.End;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that abuse the gateway — slow, silent, oversized, malformed, too many — are cut off or
 * refused, while a well-behaved client on its own connection keeps getting its predictions.
 * Timeouts are short here (1 s to send a request, 3 s idle) so the tests are quick.
 */
class GatewayAbuseTest {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);

  /** Past the read timeout: the sweep's grace (1 s) and its period, and a busy machine's delays. */
  private static final Duration CUT_WITHIN = Duration.ofSeconds(5);

  private static final String PREDICT_HEAD =
      "POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";

  private final FakePredictor predictor = new FakePredictor();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<GatewayServer> servers = new ArrayList<>();
  private GatewayServer server;
  private GoodClient good;

  @BeforeEach
  void start() {
    server = start(limits());
    good = new GoodClient(server.url());
  }

  @AfterEach
  void stop() {
    good.close();
    servers.forEach(GatewayServer::close);
  }

  // ---- slow clients ----

  @Test
  void aClientTricklingItsHeadersIsDisconnectedAfterTheReadTimeout() {
    try (SlowClient slow = new SlowClient(server.port())) {
      slow.send("POST /v1/predict HTTP/1.1\r\n")
          .trickle("Host: localhost\r\nX-Slow: " + "a".repeat(1000), Duration.ofMillis(100));
      End end = slow.awaitEnd(CUT_WITHIN);

      assertThat(end.answered()).as("closed without an answer: %s", end.response()).isFalse();
      assertThat(end.after()).isGreaterThanOrEqualTo(READ_TIMEOUT);
    }
    assertThat(cutOff()).isEqualTo(1.0);
    good.assertAllOk();
  }

  @Test
  void aClientTricklingItsBodyGets408() {
    try (SlowClient slow = new SlowClient(server.port())) {
      slow.send(PREDICT_HEAD + "Content-Length: 1000\r\n\r\n")
          .trickle("{\"features\": [" + "1,".repeat(500), Duration.ofMillis(100));
      End end = slow.awaitEnd(CUT_WITHIN);

      assertThat(end.status()).as(end.response()).isEqualTo(408);
      assertThat(end.response())
          .contains("request_timeout")
          .containsIgnoringCase("connection: close");
      assertThat(end.after()).isGreaterThanOrEqualTo(READ_TIMEOUT);
    }
    good.assertAllOk();
    assertThat(requests("request_timeout", 408)).isEqualTo(1.0);
  }

  @Test
  void aClientThatStopsSendingItsBodyIsDisconnected() {
    try (SlowClient stalled = new SlowClient(server.port())) {
      stalled.send(PREDICT_HEAD + "Content-Length: 100\r\n\r\n{\"features\": [1, 2");
      End end = stalled.awaitEnd(CUT_WITHIN);

      assertThat(end.answered()).as(end.response()).isFalse();
      assertThat(end.after()).isGreaterThanOrEqualTo(READ_TIMEOUT);
    }
    assertThat(cutOff()).isEqualTo(1.0);
    good.assertAllOk();
  }

  @Test
  void aChunkedBodyTrickledThroughAnotherRouteIsDisconnectedToo() {
    // No handler reads this body: the answer (404) must end the connection, not wait for it.
    try (SlowClient slow = new SlowClient(server.port())) {
      slow.send("POST /nowhere HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
          .trickle("5\r\nhello\r\n".repeat(100), Duration.ofMillis(100));
      End end = slow.awaitEnd(CUT_WITHIN);

      assertThat(end.after()).isLessThan(CUT_WITHIN);
      if (end.answered()) {
        assertThat(end.status()).isEqualTo(404);
        assertThat(end.response()).containsIgnoringCase("connection: close");
      }
    }
    good.assertAllOk();
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() {
    try (SlowClient silent = new SlowClient(server.port())) {
      End end = silent.awaitEnd(IDLE_TIMEOUT.plus(CUT_WITHIN));

      assertThat(end.answered()).isFalse();
      // Helidon times idleness in whole check periods (a connection's last activity is noted at a
      // coarse tick), so the close may come up to a second before the timeout: seen at 2.24 s of 3.
      assertThat(end.after()).isGreaterThanOrEqualTo(IDLE_TIMEOUT.minusSeconds(1));
    }
    good.assertAllOk();
  }

  @Test
  void aKeptAliveConnectionServesRequestsSlowerThanTheReadTimeoutApart() throws Exception {
    // The clock runs while a request arrives, not between requests: a pause shorter than the idle
    // timeout but longer than the read timeout costs nothing.
    try (SlowClient client = new SlowClient(server.port())) {
      String body = "{\"features\": [1, 2]}";
      String request = PREDICT_HEAD + "Content-Length: " + body.length() + "\r\n\r\n" + body;
      client.send(request);
      Thread.sleep(READ_TIMEOUT.multipliedBy(3).dividedBy(2).toMillis());
      client.send(request.replace("Host: localhost", "Host: localhost\r\nConnection: close"));
      End end = client.awaitEnd(CUT_WITHIN);

      assertThat(end.response().split("HTTP/1.1 200", -1)).as(end.response()).hasSize(3);
    }
    assertThat(cutOff()).isZero();
    good.assertAllOk();
    assertThat(server.requestsBeingRead()).isZero();
  }

  // ---- oversized and malformed bodies ----

  @Test
  void anOversizedContentLengthIsRefusedAtOnceWithoutReadingTheBody() {
    try (SlowClient big = new SlowClient(server.port())) {
      // Headers only: the gigabyte never comes, and the answer must not wait for it.
      big.send(PREDICT_HEAD + "Content-Length: 1000000000\r\n\r\n");
      End end = big.awaitEnd(CUT_WITHIN);

      assertThat(end.status()).as(end.response()).isEqualTo(413);
      assertThat(end.response()).contains("payload_too_large");
      assertThat(end.after()).isLessThan(READ_TIMEOUT);
    }
    good.assertAllOk();
  }

  @Test
  void malformedBodiesGet400AndTheGatewayServesOn() {
    byte[] garbage = new byte[8192];
    new Random(42).nextBytes(garbage);
    byte[] invalidUtf8 = {
      '{', '"', 'f', 'e', 'a', 't', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'
    };
    byte[] deep = "[".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
    byte[] deepObject =
        "{\"features\": ".concat("[".repeat(50_000)).getBytes(StandardCharsets.US_ASCII);

    for (byte[] body : List.of(garbage, invalidUtf8, deep, deepObject)) {
      String response = post(body);
      assertThat(response)
          .as("answer to %d malformed bytes", body.length)
          .startsWith("HTTP/1.1 400");
      assertThat(response).containsAnyOf("invalid_json", "invalid_request");
    }
    good.assertAllOk();
    assertThat(client().get("/health").status()).isEqualTo(200);
    // Every request's clock was stopped: the guard forgets what it watched.
    await().atMost(Duration.ofSeconds(5)).until(() -> server.requestsBeingRead() == 0);
  }

  // ---- too many connections, too many requests ----

  @Test
  void connectionsPastTheLimitWaitUntilOneClosesAndAreThenServed() throws Exception {
    GatewayServer small = start(limits().withMaxConnections(3));
    List<SlowClient> holders = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        holders.add(new SlowClient(small.port()));
      }
      String body = "{\"features\": [4, 5]}";
      try (SlowClient waiting = new SlowClient(small.port())) {
        waiting.send(
            PREDICT_HEAD
                + "Connection: close\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
        assertThat(waiting.closedWithin(Duration.ofMillis(500)))
            .as("answered while 3 connections are held")
            .isFalse();

        holders.get(0).close();
        End end = waiting.awaitEnd(CUT_WITHIN);
        assertThat(end.status()).as(end.response()).isEqualTo(200);
        assertThat(end.response()).contains("\"prediction\":9.0");
      }
    } finally {
      holders.forEach(SlowClient::close);
    }
  }

  @Test
  void requestsPastTheConcurrencyLimitGet503AtOnce() {
    good.stop(); // it shares the predictor, which is about to stop answering
    GatewayServer small = start(limits().withMaxConcurrentRequests(2));
    GatewayClient client = new GatewayClient(small.url());
    predictor.answer(r -> new CompletableFuture<PredictReply>()); // never answered
    int before = predictor.calls.size();
    List<CompletableFuture<Answer>> waiting = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      waiting.add(CompletableFuture.supplyAsync(() -> client.postJson("{\"features\": [1]}")));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> predictor.calls.size() == before + 2);

    long start = System.nanoTime();
    Answer refused = client.postJson("{\"features\": [1]}");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(refused.status()).as(refused.body()).isEqualTo(503);
    assertThat(refused.code()).isEqualTo("service_unavailable");
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    assertThat(took).isLessThan(Duration.ofSeconds(1));
    // The two in flight time out as usual (2 s), and then there is room again.
    for (CompletableFuture<Answer> w : waiting) {
      assertThat(w.join().status()).isEqualTo(504);
    }
    predictor.reset();
    assertThat(client.postJson("{\"features\": [1]}").status()).isEqualTo(200);
  }

  // ---- helpers ----

  private static ConnectionLimits limits() {
    return ConnectionLimits.defaults().withReadTimeout(READ_TIMEOUT).withIdleTimeout(IDLE_TIMEOUT);
  }

  private GatewayServer start(ConnectionLimits limits) {
    GatewayServer s =
        GatewayServer.start(
            GatewayConfig.defaults()
                .withHost("127.0.0.1")
                .withPort(0)
                .withTimeout(Duration.ofSeconds(2))
                .withLimits(limits),
            predictor,
            registry);
    servers.add(s);
    return s;
  }

  private GatewayClient client() {
    return new GatewayClient(server.url());
  }

  private String post(byte[] body) {
    String head = PREDICT_HEAD + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
    return GatewayClient.raw(server.port(), head, body);
  }

  private double cutOff() {
    return registry.get(SlowClientGuard.CUT_OFF).counter().count();
  }

  private double requests(String outcome, int status) {
    return registry
        .get(GatewayMetrics.REQUESTS)
        .tag("protocol", "v1")
        .tag("outcome", outcome)
        .tag("status", Integer.toString(status))
        .counter()
        .count();
  }

  /**
   * A well-behaved client on its own keep-alive connection: one prediction every 20 ms, from the
   * start of the test to its end, each checked.
   */
  private static final class GoodClient implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final Future<Integer> loop;

    GoodClient(String url) {
      GatewayClient client = new GatewayClient(url);
      loop =
          CompletableFuture.supplyAsync(
              () -> {
                int ok = 0;
                for (int i = 0; running.get(); i++) {
                  try {
                    Answer a = client.postJson("{\"features\": [" + i + ", 0.5]}");
                    if (a.status() != 200 || a.json().path("prediction").asDouble() != i + 0.5) {
                      problems.add(a.status() + " " + a.body());
                    } else {
                      ok++;
                    }
                    Thread.sleep(20);
                  } catch (RuntimeException | InterruptedException e) {
                    problems.add(e.toString());
                  }
                }
                return ok;
              });
    }

    /** Stops the client; returns how many predictions it got. */
    int stop() {
      running.set(false);
      try {
        return loop.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("the good client did not finish", e);
      }
    }

    /** Stops the client and checks every answer it got was its prediction, and it got some. */
    void assertAllOk() {
      int ok = stop();
      assertThat(problems).as("the good client's failed requests").isEmpty();
      assertThat(ok).as("the good client's predictions").isPositive();
    }

    @Override
    public void close() {
      running.set(false);
    }
  }
}
