package io.mlqueue.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpLoadTest {
  private static final byte[] BODY = "{\"features\": [1, 2]}".getBytes(StandardCharsets.UTF_8);

  private HttpServer server;
  private final AtomicInteger received = new AtomicInteger();
  private volatile long stallMillis;
  private volatile int stallOnRequest = -1;
  private Object lock;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private URI start(boolean chunked) throws IOException {
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm
    // and the client's delayed ACK hold every answer back ~40 ms.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    lock = new Object();
    server.createContext("/v1/predict", exchange -> answer(exchange, chunked));
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/predict");
  }

  private void answer(HttpExchange exchange, boolean chunked) throws IOException {
    byte[] request = exchange.getRequestBody().readAllBytes();
    int n = received.incrementAndGet();
    synchronized (lock) { // a stall, like a GC pause, holds up every request, not just one
      if (n == stallOnRequest) {
        try {
          Thread.sleep(stallMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    boolean good =
        java.util.Arrays.equals(request, BODY)
            && "application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"));
    byte[] answer = "{\"prediction\": 1.5}".getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(good ? 200 : 400, chunked ? 0 : answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }

  @Test
  void closedLoopReadsFixedLengthAnswers() throws Exception {
    URI url = start(false);
    HttpLoad.Result r =
        new HttpLoad(
                new HttpLoad.Plan(url, BODY, 4, 0, Duration.ofMillis(200), Duration.ofMillis(500)))
            .run();

    assertThat(r.requests()).isPositive();
    assertThat(r.failures()).isZero();
    assertThat(r.byStatus()).containsOnlyKeys(200);
    assertThat(r.latency().getTotalCount()).isEqualTo(r.requests());
    assertThat(received.get()).isGreaterThanOrEqualTo((int) r.requests());
  }

  @Test
  void closedLoopReadsChunkedAnswers() throws Exception {
    URI url = start(true);
    HttpLoad.Result r =
        new HttpLoad(
                new HttpLoad.Plan(url, BODY, 2, 0, Duration.ofMillis(200), Duration.ofMillis(500)))
            .run();

    assertThat(r.requests()).isPositive();
    assertThat(r.failures()).isZero();
  }

  @Test
  void openLoopKeepsToTheRate() throws Exception {
    URI url = start(false);
    HttpLoad.Result r =
        new HttpLoad(
                new HttpLoad.Plan(
                    url, BODY, 64, 200, Duration.ofMillis(200), Duration.ofSeconds(1)))
            .run();

    // 200 requests/s for 1 s, answered or (on a machine busy enough to stall 64 connections)
    // refused: the schedule is kept either way.
    long refused = r.byStatus().getOrDefault(-1, 0L);
    assertThat(r.requests() + refused).isBetween(170L, 230L);
    assertThat(r.byStatus()).containsKey(200);
  }

  @Test
  void openLoopCountsAStallFromWhenEachRequestWasDue() throws Exception {
    URI url = start(false);
    stallMillis = 300;
    stallOnRequest = 60; // after the warm-up's ~40 requests, within the measured second
    HttpLoad.Result r =
        new HttpLoad(
                new HttpLoad.Plan(
                    url, BODY, 200, 200, Duration.ofMillis(200), Duration.ofSeconds(1)))
            .run();

    // The server answers everything that arrives during the stall only after it, so the ~60
    // requests due in those 300 ms took up to 300 ms each: about 30 % of the second's requests.
    assertThat(r.latency().getMaxValue()).isGreaterThanOrEqualTo(290_000L);
    long slow = r.latency().getCountBetweenValues(100_000L, 10_000_000L);
    assertThat(slow).isGreaterThanOrEqualTo(30L);
  }

  @Test
  void requestsDueWhileEveryConnectionIsBusyAreFailuresNotSilentlyDelayed() throws Exception {
    URI url = start(false);
    stallMillis = 300;
    stallOnRequest = 60;
    HttpLoad.Result r =
        new HttpLoad(
                new HttpLoad.Plan(url, BODY, 1, 200, Duration.ofMillis(200), Duration.ofSeconds(1)))
            .run();

    // One connection, stuck for 300 ms: the ~60 requests due meanwhile are counted as failed
    // (status -1), so the figures cannot look good by sending less.
    assertThat(r.byStatus().getOrDefault(-1, 0L)).isGreaterThanOrEqualTo(40L);
    assertThat(r.requests() + r.byStatus().get(-1)).isBetween(170L, 230L);
  }

  @Test
  void refusedConnectionsAreFailuresNotHangs() throws Exception {
    URI url = start(false);
    server.stop(0);
    server = null;
    HttpLoad.Result r =
        new HttpLoad(new HttpLoad.Plan(url, BODY, 2, 50, Duration.ZERO, Duration.ofMillis(500)))
            .run();

    assertThat(r.requests()).isPositive();
    assertThat(r.failures()).isGreaterThanOrEqualTo(r.requests()); // refused ones were never sent
    assertThat(r.byStatus()).containsOnlyKeys(-1);
  }
}
