package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.UnixOperatingSystemMXBean;
import io.mlqueue.data.Dataset;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway under abuse, deployed as it would be (RabbitMQ, a model worker and the gateway as
 * separate processes, the gateway with a 256 MB heap and its default limits): for 30 s at once,
 * 10,000 connections opened and held (each one the gateway closes is opened again), dozens of
 * slowloris clients trickling headers or bodies a byte a second, and a stream of oversized and
 * malformed bodies — while a well-behaved client on its two keep-alive connections asks for 50
 * predictions a second. Every one of those must be answered with its row's prediction, the gateway
 * must hold at most its connection limit and stay within a bounded heap, and once the flood ends a
 * new connection is served at once.
 *
 * <p>The gateway runs with {@code --idle-timeout 5s} instead of 60 s so that, within the test's
 * time, the silent connections are closed and the queued ones get their turn; the mechanism is the
 * same at 60 s, only slower.
 */
class GatewayAbuseIT {
  private static final Duration READY = Duration.ofSeconds(30);
  private static final Duration ABUSE = Duration.ofSeconds(30);
  private static final int FLOOD = 10_000;
  private static final int HEADER_TRICKLERS = 30;
  private static final int BODY_TRICKLERS = 10;
  private static final int BAD_BODY_SENDERS = 2;
  private static final int GOOD_PER_SECOND = 50;
  private static final int GOOD_CONNECTIONS = 2;
  private static final int MAX_CONNECTIONS = 2_048; // the gateway's default

  /** The gateway's open files without client connections: jars, logs, the broker's socket. */
  private static final int RELEASED_FILES = 200;

  /**
   * The most live heap the gateway may keep, as its collector measured it after a full collection
   * ({@code jvm_gc_live_data_size_bytes}): its 2,048 connections cost about 25 KB each (~50 MB),
   * and the rest of the gateway about 20 MB. Without the connection limit, 10,000 connections fill
   * the 256 MB heap and the gateway spends its time collecting.
   */
  private static final long LIVE_HEAP_BOUND = 128L << 20;

  private static final double TOLERANCE = 1e-9;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING =
      Pattern.compile("gateway: listening on http://([^:]+):(\\d+)");

  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  private final AtomicBoolean abusing = new AtomicBoolean(true);

  @Test
  void keepsServingAGoodClientWithinBoundedMemoryWhileFloodedSlowedAndFedGarbage()
      throws Exception {
    long descriptors =
        ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getMaxFileDescriptorCount();
    assumeThat(descriptors)
        .as(
            "this test opens %,d connections and needs a limit of at least 10,500 open files"
                + " ('ulimit -n'); this JVM has %,d",
            FLOOD, descriptors)
        .isGreaterThanOrEqualTo(10_500L);

    String uri = rabbit.uri();
    ServiceProcess model = services.mlqueue("model", uri, "model");
    ServiceProcess gateway =
        services.mlqueue(
            "gateway",
            uri,
            "gateway",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--timeout",
            "15s",
            "--idle-timeout",
            "5s");
    model.awaitLog("model: consuming predict", READY);
    gateway.awaitLog("gateway: listening on", READY);
    Matcher m = LISTENING.matcher(gateway.output());
    assertThat(m.find()).isTrue();
    int port = Integer.parseInt(m.group(2));
    awaitReady(port);

    Dataset data = Dataset.builtIn();
    double[] reference = referencePredictions();
    Good good = new Good(port, data, reference);
    Monitor monitor = new Monitor(port, gateway.pid());
    List<Thread> abusers = new ArrayList<>();
    Stats stats = new Stats();
    for (int i = 0; i < HEADER_TRICKLERS; i++) {
      abusers.add(Thread.ofVirtual().start(() -> trickleHeaders(port, stats)));
    }
    for (int i = 0; i < BODY_TRICKLERS; i++) {
      abusers.add(Thread.ofVirtual().start(() -> trickleBody(port, stats)));
    }
    for (int i = 0; i < BAD_BODY_SENDERS; i++) {
      int seed = i;
      abusers.add(Thread.ofVirtual().start(() -> sendBadBodies(port, seed, stats)));
    }
    Flood flood = new Flood(port);
    long start = System.nanoTime();
    Thread flooding = Thread.ofPlatform().start(flood::run);
    Thread.sleep(ABUSE.toMillis());
    abusing.set(false);
    flooding.join(30_000);
    for (Thread t : abusers) {
      t.join(20_000);
    }
    Duration abused = Duration.ofNanos(System.nanoTime() - start);

    // The flood is gone: the gateway lets its connections go, a new connection is served, and the
    // good client goes on.
    long released = System.nanoTime();
    while (openFiles(gateway.pid()) > RELEASED_FILES
        && System.nanoTime() - released < Duration.ofSeconds(20).toNanos()) {
      Thread.sleep(100);
    }
    Duration releasedIn = Duration.ofNanos(System.nanoTime() - released);
    long filesAfter = openFiles(gateway.pid());
    long before = System.nanoTime();
    Http.Connection fresh = new Http.Connection(port);
    String health = fresh.get("/health");
    Duration firstAfter = Duration.ofNanos(System.nanoTime() - before);
    fresh.close();
    Thread.sleep(3_000);
    good.stop();
    monitor.stop();
    assertThat(gateway.isAlive()).as("the gateway is alive").isTrue();

    System.out.printf(
        "GatewayAbuseIT: %s of abuse; flood: %,d connections outstanding, at most %,d"
            + " established at once, %,d opened in all, %,d closed by the gateway; slowloris: %d headers cut (longest"
            + " %d ms from connect), body tricklers %d answered 408 and %d cut; bad bodies: %s;"
            + " good client: %,d ok of %,d, p50 %.1f ms, p99 %.1f ms, max %.1f ms; gateway: at"
            + " most %,d open files, heap used at most %.1f MB (old generation %.1f MB), live heap after"
            + " a full collection at most %.1f MB, VmHWM %,d kB;"
            + " open files down to %d %d ms after the flood; a new connection then answered in %d ms%n",
        abused,
        FLOOD,
        flood.peakHeld.get(),
        flood.opened.get(),
        flood.closedByServer.get(),
        stats.headersCut.get(),
        stats.longestHeaders.get(),
        stats.body408.get(),
        stats.bodyCut.get(),
        stats.badBodies,
        good.ok.get(),
        good.sent.get(),
        good.percentile(50),
        good.percentile(99),
        good.percentile(100),
        monitor.peakFiles.get(),
        monitor.peakHeap.get() / 1e6,
        monitor.peakOld.get() / 1e6,
        monitor.peakLive.get() / 1e6,
        monitor.peakRssKb(),
        filesAfter,
        releasedIn.toMillis(),
        firstAfter.toMillis());

    assertThat(filesAfter)
        .as("open files of the gateway 20 s after the flood at most")
        .isLessThanOrEqualTo(RELEASED_FILES);
    assertThat(health).as("GET /health after the flood").startsWith("HTTP/1.1 200");
    assertThat(firstAfter).isLessThan(Duration.ofSeconds(2));
    assertThat(good.problems).as("the good client's failed requests").isEmpty();
    assertThat(good.ok.get())
        .as("the good client's predictions (it asks for %d a second)", GOOD_PER_SECOND)
        .isGreaterThanOrEqualTo((int) (GOOD_PER_SECOND * ABUSE.toSeconds() * 0.9));
    // Of the 10,000 always outstanding, the gateway holds its limit, the kernel's accept queue
    // some more; the rest are still in their handshake (the kernel drops SYNs past the queue).
    assertThat(flood.peakHeld.get())
        .as("flood connections established at once")
        .isGreaterThan(MAX_CONNECTIONS);
    assertThat(monitor.peakFiles.get())
        .as("open files of the gateway: its connections, capped, and ~100 others")
        .isLessThanOrEqualTo(MAX_CONNECTIONS + 200);
    assertThat(monitor.peakLive.get())
        .as("the gateway's live heap after a full collection, bytes")
        .isLessThan(LIVE_HEAP_BOUND);
    assertThat(stats.headersCut.get()).as("header tricklers cut off").isPositive();
    assertThat(stats.badBodies.getOrDefault("200", 0)).as("bad bodies answered 200").isZero();
    assertThat(stats.badBodies.keySet())
        .as("answers to bad bodies")
        // "closed": refused while the client was still sending, the answer lost to the reset;
        // "queued": still in the accept queue behind the flood when the client gave up.
        .allMatch(k -> List.of("400", "413", "closed", "queued").contains(k));
    assertThat(stats.badBodies.getOrDefault("400", 0) + stats.badBodies.getOrDefault("413", 0))
        .isPositive();
    assertThat(gateway.output()).doesNotContain("OutOfMemoryError", "StackOverflowError");
    gateway.stopCleanly();
  }

  // ---- the abusers ----

  private static final class Stats {
    final AtomicInteger headersCut = new AtomicInteger();
    final AtomicLong longestHeaders = new AtomicLong();
    final AtomicInteger body408 = new AtomicInteger();
    final AtomicInteger bodyCut = new AtomicInteger();
    final Map<String, Integer> badBodies = new ConcurrentHashMap<>();
  }

  /** Sends a request line, then headers a byte a second, until cut off; again and again. */
  private void trickleHeaders(int port, Stats stats) {
    while (abusing.get()) {
      long start = System.nanoTime();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        OutputStream out = s.getOutputStream();
        out.write("POST /v1/predict HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        for (int i = 0; abusing.get(); i++) {
          out.write(i % 2 == 0 ? 'X' : ':');
          out.flush();
          Thread.sleep(1_000);
        }
      } catch (IOException e) {
        // Cut off by the gateway (a write to a closed connection fails).
        if (abusing.get()) {
          stats.headersCut.incrementAndGet();
          stats.longestHeaders.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Sends complete headers, then the body a byte a second. */
  private void trickleBody(int port, Stats stats) {
    while (abusing.get()) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        OutputStream out = s.getOutputStream();
        out.write(
            ("POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread reader =
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        s.setSoTimeout(60_000);
                        String answer =
                            new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        (answer.startsWith("HTTP/1.1 408") ? stats.body408 : stats.bodyCut)
                            .incrementAndGet();
                      } catch (IOException e) {
                        stats.bodyCut.incrementAndGet();
                      }
                    });
        for (int i = 0; abusing.get() && reader.isAlive(); i++) {
          out.write('1');
          out.flush();
          Thread.sleep(1_000);
        }
        reader.join(5_000);
      } catch (IOException e) {
        // Cut off while sending.
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One bad body after another, each on a new connection: oversized, binary, invalid, deep. */
  private void sendBadBodies(int port, int seed, Stats stats) {
    Random random = new Random(seed);
    byte[] garbage = new byte[8_192];
    // A key with a UTF-8 lead byte (0xC3) followed by '(' instead of a continuation byte.
    byte[] invalidUtf8 = "{\"features\": [1, 2], \"x??\": 1}".getBytes(StandardCharsets.US_ASCII);
    invalidUtf8[23] = (byte) 0xC3;
    invalidUtf8[24] = '(';
    byte[] deep = "[".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
    byte[] deepObject =
        ("{\"features\": " + "[".repeat(50_000)).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; abusing.get(); i++) {
      String head = "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
      byte[] body;
      String length;
      switch (i % 5) {
        case 0 -> {
          body = new byte[0];
          length = "104857600"; // 100 MiB announced, never sent
        }
        case 1 -> {
          random.nextBytes(garbage);
          body = garbage;
          length = null;
        }
        case 2 -> {
          body = invalidUtf8;
          length = null;
        }
        case 3 -> {
          body = deep;
          length = null;
        }
        default -> {
          body = deepObject;
          length = null;
        }
      }
      String request =
          head + "Content-Length: " + (length == null ? body.length : length) + "\r\n\r\n";
      String answer;
      try {
        answer = Http.request(port, request, body, Duration.ofSeconds(10));
      } catch (IOException e) {
        // Still in the gateway's accept queue behind the flood when the client gave up.
        answer = "queued";
      }
      String key =
          answer.startsWith("HTTP/1.1 ")
              ? answer.substring(9, 12)
              : answer.isEmpty() ? "closed" : "queued";
      stats.badBodies.merge(key, 1, Integer::sum);
    }
  }

  /**
   * {@link #FLOOD} connections, opened without a byte sent; each one the gateway closes is opened
   * again, until the abuse ends.
   */
  private final class Flood {
    final int port;
    final AtomicInteger peakHeld = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closedByServer = new AtomicInteger();

    Flood(int port) {
      this.port = port;
    }

    void run() {
      try (Selector selector = Selector.open()) {
        for (int i = 0; i < FLOOD; i++) {
          open(selector);
        }
        ByteBuffer sink = ByteBuffer.allocate(256);
        int held = 0;
        while (abusing.get()) {
          selector.select(100);
          Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
          while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            SocketChannel c = (SocketChannel) key.channel();
            try {
              if (key.isConnectable() && c.finishConnect()) {
                key.interestOps(SelectionKey.OP_READ);
                held++;
              } else if (key.isReadable()) {
                sink.clear();
                if (c.read(sink) < 0) {
                  throw new IOException("closed by the gateway");
                }
              }
            } catch (IOException e) {
              if (key.interestOps() == SelectionKey.OP_READ) {
                held--;
                closedByServer.incrementAndGet();
              }
              key.cancel();
              c.close();
              open(selector);
            }
          }
          peakHeld.accumulateAndGet(held, Math::max);
        }
        for (SelectionKey key : selector.keys()) {
          key.channel().close();
        }
      } catch (IOException e) {
        throw new IllegalStateException("the flood failed", e);
      }
    }

    private void open(Selector selector) throws IOException {
      SocketChannel c = SocketChannel.open();
      c.configureBlocking(false);
      c.connect(new InetSocketAddress("127.0.0.1", port));
      c.register(selector, SelectionKey.OP_CONNECT);
      opened.incrementAndGet();
    }
  }

  // ---- the good client ----

  /**
   * {@link #GOOD_PER_SECOND} predictions a second over {@link #GOOD_CONNECTIONS} keep-alive
   * connections opened before the abuse, each request a row of the data, each answer checked
   * against scikit-learn's prediction for that row.
   */
  private static final class Good {
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger ok = new AtomicInteger();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final List<Long> latencies = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    Good(int port, Dataset data, double[] reference) throws IOException {
      long period = 1_000_000_000L * GOOD_CONNECTIONS / GOOD_PER_SECOND;
      for (int c = 0; c < GOOD_CONNECTIONS; c++) {
        Http.Connection connection = new Http.Connection(port);
        int first = c;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      long next = System.nanoTime();
                      for (int i = first; running.get(); i += GOOD_CONNECTIONS) {
                        int row = (i * 7) % data.size();
                        String body = "{\"features\": " + Arrays.toString(data.features(row)) + "}";
                        sent.incrementAndGet();
                        long start = System.nanoTime();
                        try {
                          String answer = connection.post(body);
                          latencies.add(System.nanoTime() - start);
                          String problem = check(answer, row, reference[row]);
                          if (problem == null) {
                            ok.incrementAndGet();
                          } else {
                            problems.add(problem);
                          }
                        } catch (IOException e) {
                          problems.add("row " + row + ": " + e);
                          return;
                        }
                        next += period;
                        long sleep = next - System.nanoTime();
                        if (sleep > 0) {
                          try {
                            Thread.sleep(Duration.ofNanos(sleep));
                          } catch (InterruptedException e) {
                            return;
                          }
                        }
                      }
                      connection.close();
                    }));
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(20_000);
      }
    }

    double percentile(int p) {
      long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(i, sorted.length - 1))] / 1e6;
    }

    private static String check(String answer, int row, double expected) throws IOException {
      if (!answer.startsWith("HTTP/1.1 200")) {
        return "row " + row + ": " + answer;
      }
      JsonNode json = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      double prediction = json.path("prediction").asDouble(Double.NaN);
      return Math.abs(prediction - expected) <= TOLERANCE
          ? null
          : "row " + row + ": predicted " + prediction + ", expected " + expected;
    }
  }

  // ---- watching the gateway ----

  /**
   * Every half second: the gateway's open files ({@code /proc/<pid>/fd}) and, over a keep-alive
   * connection of its own opened before the flood, its heap from {@code /metrics}.
   */
  private static final class Monitor {
    private static final String USED = "jvm_memory_used_bytes{";
    final AtomicInteger peakFiles = new AtomicInteger();
    final AtomicLong peakHeap = new AtomicLong();
    final AtomicLong peakOld = new AtomicLong();
    final AtomicLong peakLive = new AtomicLong();
    private final long pid;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Monitor(int port, long pid) throws IOException {
      this.pid = pid;
      Http.Connection connection = new Http.Connection(port);
      thread =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (running.get()) {
                      try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                        peakFiles.accumulateAndGet((int) fds.count(), Math::max);
                        String metrics = connection.get("/metrics");
                        peakHeap.accumulateAndGet(HeapWatch.sum(metrics, USED), Math::max);
                        peakOld.accumulateAndGet(
                            HeapWatch.sum(metrics, USED, "id=\"Tenured Gen\""), Math::max);
                        peakLive.accumulateAndGet(
                            HeapWatch.sum(metrics, "jvm_gc_live_data_size_bytes{", ""), Math::max);
                        Thread.sleep(500);
                      } catch (IOException | InterruptedException e) {
                        return;
                      }
                    }
                  });
    }

    long peakRssKb() {
      long bytes = HeapWatch.peakRss(pid);
      return bytes < 0 ? -1 : bytes / 1024;
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }

  // ---- plain HTTP/1.1 ----

  /** Just enough HTTP/1.1 over a socket to control which connection each request takes. */
  private static final class Http {
    /** Sends {@code head} and {@code body} on a new connection; returns what comes back. */
    static String request(int port, String head, byte[] body, Duration timeout) throws IOException {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
        s.setSoTimeout((int) timeout.toMillis());
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        try {
          out.write(body);
          out.flush();
        } catch (IOException e) {
          // Refused before the whole body was sent (413): the answer is still there to read.
        }
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
          s.getInputStream().transferTo(got);
        } catch (SocketTimeoutException e) {
          if (got.size() == 0) {
            throw e;
          }
        } catch (IOException e) {
          // Reset after the answer.
        }
        return got.toString(StandardCharsets.UTF_8);
      }
    }

    /** One keep-alive connection: a request, its answer, the next request. */
    static final class Connection {
      private final Socket socket;
      private final InputStream in;
      private final OutputStream out;

      Connection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
      }

      String post(String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return exchange(
            "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + body.length
                + "\r\n\r\n",
            body);
      }

      String get(String path) throws IOException {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n", new byte[0]);
      }

      void close() {
        try {
          socket.close();
        } catch (IOException e) {
          // Closing is best effort.
        }
      }

      private String exchange(String head, byte[] body) throws IOException {
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
          int b = in.read();
          if (b < 0) {
            throw new IOException("the gateway closed the connection; got: " + headers);
          }
          headers.write(b);
          matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = headers.toString(StandardCharsets.ISO_8859_1);
        Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
        if (!length.find()) {
          throw new IOException("no Content-Length in: " + text);
        }
        byte[] content = in.readNBytes(Integer.parseInt(length.group(1)));
        return text + new String(content, StandardCharsets.UTF_8);
      }
    }
  }

  // ---- helpers ----

  private static void awaitReady(int port) throws Exception {
    long deadline = System.nanoTime() + READY.toNanos();
    while (true) {
      Http.Connection c = new Http.Connection(port);
      String health = c.get("/health");
      c.close();
      if (health.startsWith("HTTP/1.1 200")) {
        return;
      }
      assertThat(System.nanoTime())
          .as("the gateway ready within %s: %s", READY, health)
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static long openFiles(long pid) throws IOException {
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.count();
    }
  }

  /** scikit-learn's predictions for the 442 rows, from the reference file. */
  private static double[] referencePredictions() throws IOException {
    try (InputStream in =
        GatewayAbuseIT.class.getResourceAsStream("/reference_linear_regression.json")) {
      JsonNode predictions = JSON.readTree(in).path("full_fit").path("predictions");
      double[] out = new double[predictions.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = predictions.get(i).asDouble();
      }
      return out;
    }
  }
}
