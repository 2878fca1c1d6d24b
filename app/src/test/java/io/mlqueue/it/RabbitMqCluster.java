package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.broker.testing.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private three-node RabbitMQ cluster for one test, beside (and never touching) the system node
 * on 5672: nodes {@code mlq1@localhost} … {@code mlq3@localhost} on AMQP ports 5681–5683, Erlang
 * distribution ports 25681–25683, their own epmd on port 4370, their own Erlang cookie, config, env
 * and data in a temp folder. The recipe is {@code /work/shared/notes/RABBITMQ_CLUSTER.md}.
 *
 * <p>Register it with {@code @RegisterExtension @Order(1) final RabbitMqCluster cluster = new
 * RabbitMqCluster();} (and {@link ServiceProcesses} at {@code @Order(2)}, so services die before
 * the nodes). Before each test it starts the three nodes in parallel; they form the cluster at boot
 * through {@code classic_config} peer discovery, and the test starts once {@code rabbitmqctl wait}
 * has returned for each and all three are running members. After the test every node's beam is
 * killed by PID, then the private epmd, then the temp folder is deleted.
 *
 * <p>When RabbitMQ's server scripts or {@code epmd} are missing, or a port the cluster needs is
 * taken, the test is skipped (a JUnit assumption) with a line on standard error.
 */
public final class RabbitMqCluster implements BeforeEachCallback, AfterEachCallback {
  static final String HOST = "127.0.0.1";
  static final int NODES = 3;
  static final int FIRST_AMQP_PORT = 5681;
  static final int FIRST_DIST_PORT = 25681;
  static final int FIRST_TLS_PORT = 5691;
  static final int EPMD_PORT = 4370;

  private static final Duration CTL_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
  private static final List<String> EPMD_CANDIDATES =
      List.of("/usr/bin/epmd", "/usr/local/bin/epmd");

  private Path dir;
  private Path bin;
  private Process epmd;
  private final Map<Integer, Process> scripts = new HashMap<>();
  private final boolean tls;
  private TestCertificates certificates;

  /** Three nodes with plain AMQP listeners. */
  public RabbitMqCluster() {
    this(false);
  }

  private RabbitMqCluster(boolean tls) {
    this.tls = tls;
  }

  /**
   * Three nodes that also listen for AMQP over TLS on {@link #tlsPort}, with a certificate for
   * {@code localhost} and {@code 127.0.0.1} signed by a CA made for the test ({@link #caFile}).
   */
  public static RabbitMqCluster withTls() {
    return new RabbitMqCluster(true);
  }

  /** The TLS port of {@code node} (1–3), with {@link #withTls()}. */
  public static int tlsPort(int node) {
    return FIRST_TLS_PORT + node - 1;
  }

  /** The PEM file of the CA that signed the nodes' certificates, with {@link #withTls()}. */
  public Path caFile() {
    return certificates.caFile();
  }

  // --- JUnit -------------------------------------------------------------------------------------

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    Optional<String> unavailable = whyUnavailable();
    if (unavailable.isPresent()) {
      System.err.println("cluster integration test skipped: " + unavailable.get());
      Assumptions.assumeTrue(false, "no RabbitMQ cluster possible: " + unavailable.get());
    }
    bin = serverBin().orElseThrow();
    start();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (context.getExecutionException().isPresent() && dir != null) {
      for (int n = 1; n <= NODES; n++) {
        System.err.printf(
            "----- last 20 lines of %s -----%n%s%n", nodeLog(n), tail(nodeLog(n), 20));
        // The node's own log says why it refused or stalled (a nack, a queue without its
        // leader): its warnings and errors, since the directory is deleted after the test.
        Path log = dir.resolve("mlq" + n).resolve("log").resolve("mlq" + n + "@localhost.log");
        System.err.printf(
            "----- warnings and errors of %s (last 80) -----%n%s%n", log, problems(log, 80));
      }
    }
    close();
  }

  // --- the cluster
  // ---------------------------------------------------------------------------------

  /** {@code amqp://guest:guest@127.0.0.1:568N/%2F} for every node, comma-separated. */
  public String uris() {
    List<String> uris = new ArrayList<>();
    for (int n = 1; n <= NODES; n++) {
      uris.add("amqp://guest:guest@" + HOST + ":" + amqpPort(n) + "/%2F");
    }
    return String.join(",", uris);
  }

  public static int amqpPort(int node) {
    return FIRST_AMQP_PORT + node - 1;
  }

  /** The node (1–3) listening on AMQP {@code port}. */
  public static int nodeOfPort(int port) {
    int n = port - FIRST_AMQP_PORT + 1;
    if (n < 1 || n > NODES) {
      throw new IllegalArgumentException("no node of the cluster listens on " + port);
    }
    return n;
  }

  public static String nodeName(int node) {
    return "mlq" + node + "@localhost";
  }

  /** The node (1–3) called {@code name}, e.g. {@code mlq2@localhost}, as rabbitmqctl prints it. */
  public static int nodeOfName(String name) {
    for (int n = 1; n <= NODES; n++) {
      if (nodeName(n).equals(name.strip())) {
        return n;
      }
    }
    throw new IllegalArgumentException("no node of the cluster is called " + name);
  }

  /** Whether {@code node}'s beam is running. */
  public boolean isRunning(int node) {
    return beamPid(node).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Nodes whose beam runs now. */
  public List<Integer> runningNodes() {
    List<Integer> running = new ArrayList<>();
    for (int n = 1; n <= NODES; n++) {
      if (isRunning(n)) {
        running.add(n);
      }
    }
    return running;
  }

  /**
   * SIGKILLs {@code node}'s beam, as a crash or the OOM killer would, and waits until it is gone
   * and its AMQP port is closed. Its data stays, so {@link #restart} brings the same member back.
   */
  public void kill(int node) throws Exception {
    long pid = beamPid(node).orElseThrow(() -> new AssertionError(nodeName(node) + " has no pid"));
    ProcessHandle beam = ProcessHandle.of(pid).orElseThrow();
    beam.destroyForcibly();
    beam.onExit().get(10, TimeUnit.SECONDS);
    Process script = scripts.remove(node);
    if (script != null) {
      script.waitFor(10, TimeUnit.SECONDS);
    }
    // A stale pid file would make 'rabbitmqctl wait' watch a dead (or, worse, reused) PID.
    Files.deleteIfExists(pidFile(node));
  }

  /** Starts {@code node} again (after {@link #kill}) and waits until it runs in the cluster. */
  public void restart(int node) throws Exception {
    assertThat(isRunning(node)).as("%s is still running", nodeName(node)).isFalse();
    startNode(node);
    awaitNode(node);
  }

  /**
   * Waits until {@code node} is no longer critical for any quorum queue: every quorum queue it
   * holds a member of has enough other members online to keep its majority without it ({@code
   * rabbitmq-queues check_if_node_is_quorum_critical}). That is when a real cluster can lose the
   * node without losing availability.
   */
  public void awaitNotQuorumCritical(int node, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    CtlResult last;
    while (true) {
      last =
          run(
              bin.resolve("rabbitmq-queues"),
              "-n",
              nodeName(node),
              "check_if_node_is_quorum_critical");
      if (last.code() == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            nodeName(node) + " still quorum-critical after " + timeout + ":\n" + last.output());
      }
      Thread.sleep(500);
    }
  }

  /** The node (1–3) hosting the leader of quorum queue {@code queue} in vhost {@code /}. */
  public int leaderOf(String queue) throws Exception {
    for (String line :
        ctlOnAnyNode("list_queues", "-q", "--no-table-headers", "name", "leader").split("\n")) {
      String[] cells = line.strip().split("\\s+");
      if (cells.length == 2 && cells[0].equals(queue)) {
        return nodeOfName(cells[1]);
      }
    }
    throw new AssertionError("queue " + queue + " not found or without a leader");
  }

  /**
   * For each client connection to the cluster, its client-given name (the service name the services
   * pass to the client) and the AMQP port on the broker side, read from any running node ({@code
   * list_connections} shows the whole cluster's connections). A name may appear several times (e.g.
   * one port for a connection a dead node has not yet been noticed to have lost).
   */
  public Map<String, List<Integer>> connections() throws Exception {
    // rabbitmqctl 3.10 has no user_provided_name column: the name is client property
    // connection_name, printed in the row as e.g. {"connection_name","model"} (with the AMQP type
    // in between in some formats).
    String out =
        ctlOnAnyNode("list_connections", "-q", "--no-table-headers", "port", "client_properties");
    Map<String, List<Integer>> ports = new HashMap<>();
    for (String line : out.split("\n")) {
      Matcher m = CONNECTION_ROW.matcher(line);
      if (m.find()) {
        ports.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(Integer.parseInt(m.group(1)));
      } else if (!line.isBlank()) {
        System.err.println("RabbitMqCluster: connection without a name: " + line);
      }
    }
    return ports;
  }

  private static final Pattern CONNECTION_ROW =
      Pattern.compile("^\\s*(\\d+)\\s.*connection_name\\W+(?:longstr\\W+)?([\\w.-]+)");

  /** Runs {@code rabbitmqctl -n <node> args…} with the cluster's environment; fails on error. */
  public String ctl(int node, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("-n", nodeName(node)));
    all.addAll(List.of(args));
    CtlResult r = run(bin.resolve("rabbitmqctl"), all.toArray(String[]::new));
    assertThat(r.code())
        .as("rabbitmqctl %s failed:%n%s", String.join(" ", all), r.output())
        .isZero();
    return r.output();
  }

  /** {@link #ctl} on the first running node. */
  public String ctlOnAnyNode(String... args) throws Exception {
    List<Integer> running = runningNodes();
    assertThat(running).as("running nodes").isNotEmpty();
    return ctl(running.get(0), args);
  }

  // --- start and stop
  // -----------------------------------------------------------------------------

  private void start() throws Exception {
    long t0 = System.nanoTime();
    dir = Files.createTempDirectory("mlqueue-rabbit-cluster");
    Path home = Files.createDirectories(dir.resolve("home"));
    Path cookie = home.resolve(".erlang.cookie");
    byte[] secret = new byte[20];
    new SecureRandom().nextBytes(secret);
    Files.writeString(cookie, HexFormat.of().formatHex(secret).toUpperCase());
    Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
    Files.writeString(dir.resolve("env-file"), "");
    Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
    TestCertificates.Server server = null;
    if (tls) {
      certificates = TestCertificates.create(Files.createDirectories(dir.resolve("tls")));
      server = certificates.issue("rabbitmq", HOST, "localhost");
    }
    for (int n = 1; n <= NODES; n++) {
      Path nodeDir = Files.createDirectories(dir.resolve("mlq" + n));
      StringBuilder conf = new StringBuilder();
      conf.append("listeners.tcp.default = ")
          .append(HOST)
          .append(':')
          .append(amqpPort(n))
          .append('\n');
      conf.append("loopback_users.guest = true\n");
      if (server != null) {
        conf.append("listeners.ssl.default = ")
            .append(HOST)
            .append(':')
            .append(tlsPort(n))
            .append('\n');
        conf.append("ssl_options.cacertfile = ").append(certificates.caFile()).append('\n');
        conf.append("ssl_options.certfile = ").append(server.certificate()).append('\n');
        conf.append("ssl_options.keyfile = ").append(server.privateKey()).append('\n');
        conf.append("ssl_options.verify = verify_none\n");
        conf.append("ssl_options.fail_if_no_peer_cert = false\n");
      }
      conf.append("cluster_formation.peer_discovery_backend = classic_config\n");
      for (int m = 1; m <= NODES; m++) {
        conf.append("cluster_formation.classic_config.nodes.")
            .append(m)
            .append(" = ")
            .append(nodeName(m))
            .append('\n');
      }
      Files.writeString(nodeDir.resolve("rabbitmq.conf"), conf.toString());
    }

    // A private epmd in the foreground, a child of this JVM, so it can be killed by PID.
    epmd =
        new ProcessBuilder(
                epmdBinary().orElseThrow().toString(), "-port", "" + EPMD_PORT, "-address", HOST)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("epmd.log").toFile())
            .start();
    awaitPort(EPMD_PORT, Duration.ofSeconds(10));

    for (int n = 1; n <= NODES; n++) {
      startNode(n);
    }
    for (int n = 1; n <= NODES; n++) {
      awaitNode(n);
    }
    // Peer discovery may still be joining the last node when 'wait' returns.
    long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
    while (true) {
      String status = ctl(1, "cluster_status", "--formatter", "json");
      if (Stream.of(1, 2, 3).allMatch(m -> runningNodesIn(status).contains(nodeName(m)))) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("nodes did not cluster within " + BOOT_TIMEOUT + ":\n" + status);
      }
      Thread.sleep(500);
    }
    System.err.printf(
        "RabbitMqCluster: 3 nodes clustered on ports %d-%d in %.1f s (%s)%n",
        amqpPort(1), amqpPort(NODES), (System.nanoTime() - t0) / 1e9, dir);
  }

  private static String runningNodesIn(String json) {
    int i = json.indexOf("\"running_nodes\"");
    if (i < 0) {
      return "";
    }
    int end = json.indexOf(']', i);
    return end < 0 ? "" : json.substring(i, end);
  }

  private void startNode(int n) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(bin.resolve("rabbitmq-server").toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeLog(n).toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Map<String, String> env = builder.environment();
    env.putAll(commonEnv());
    Path nodeDir = dir.resolve("mlq" + n);
    env.put("RABBITMQ_NODENAME", nodeName(n));
    env.put("RABBITMQ_NODE_IP_ADDRESS", HOST);
    env.put("RABBITMQ_NODE_PORT", "" + amqpPort(n));
    env.put("RABBITMQ_DIST_PORT", "" + (FIRST_DIST_PORT + n - 1));
    env.put("RABBITMQ_CONFIG_FILE", nodeDir.resolve("rabbitmq.conf").toString());
    env.put("RABBITMQ_MNESIA_BASE", nodeDir.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", nodeDir.resolve("log").toString());
    env.put("RABBITMQ_PID_FILE", pidFile(n).toString());
    env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
    scripts.put(n, builder.start());
  }

  private void awaitNode(int n) throws Exception {
    // 'wait' blocks until the pid file exists and the node has booted (await_startup alone fails
    // while the node is not yet registered with epmd).
    CtlResult r =
        run(
            bin.resolve("rabbitmqctl"),
            Duration.ofSeconds(BOOT_TIMEOUT.toSeconds() + 10),
            "-n",
            nodeName(n),
            "wait",
            pidFile(n).toString(),
            "--timeout",
            "" + BOOT_TIMEOUT.toSeconds());
    if (r.code() != 0) {
      throw new AssertionError(
          nodeName(n) + " did not start:\n" + r.output() + "\nnode log:\n" + tail(nodeLog(n), 30));
    }
  }

  /** Kills every node by PID, then the private epmd, and deletes the temp folder. Idempotent. */
  public void close() throws Exception {
    if (dir == null) {
      return;
    }
    try {
      List<ProcessHandle> beams = new ArrayList<>();
      for (int n = 1; n <= NODES; n++) {
        beamPid(n).flatMap(ProcessHandle::of).ifPresent(beams::add);
      }
      beams.forEach(ProcessHandle::destroy); // SIGTERM: a clean stop takes ~1.3 s for all three
      for (ProcessHandle beam : beams) {
        try {
          beam.onExit().get(15, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          beam.destroyForcibly();
          beam.onExit().get(10, TimeUnit.SECONDS);
        }
      }
      for (Process script : scripts.values()) {
        if (!script.waitFor(5, TimeUnit.SECONDS)) {
          script.destroyForcibly();
        }
      }
      scripts.clear();
      if (epmd != null) {
        epmd.destroyForcibly();
        epmd.waitFor(10, TimeUnit.SECONDS);
        epmd = null;
      }
    } finally {
      deleteRecursively(dir);
      dir = null;
    }
  }

  // --- helpers
  // -------------------------------------------------------------------------------------

  private Map<String, String> commonEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", dir.resolve("home").toString());
    env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("env-file").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
    env.put("ERL_EPMD_ADDRESS", HOST);
    env.put("ERL_EPMD_PORT", "" + EPMD_PORT);
    return env;
  }

  private Path pidFile(int n) {
    return dir.resolve("mlq" + n).resolve("beam.pid");
  }

  private Path nodeLog(int n) {
    return dir.resolve("mlq" + n + "-server.out");
  }

  /** The beam PID from {@code node}'s pid file, if the file exists. */
  Optional<Long> beamPid(int node) {
    try {
      String text = Files.readString(pidFile(node)).strip();
      return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record CtlResult(int code, String output) {}

  private CtlResult run(Path script, String... args) throws Exception {
    return run(script, CTL_TIMEOUT, args);
  }

  private CtlResult run(Path script, Duration timeout, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(script.toString());
    command.addAll(List.of(args));
    Path output = Files.createTempFile(dir, "ctl", ".out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().putAll(commonEnv());
      Process p = builder.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(String.join(" ", command) + " timed out after " + timeout);
      }
      return new CtlResult(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static void awaitPort(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!listens(port)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("nothing listens on " + HOST + ":" + port + " after " + timeout);
      }
      Thread.sleep(50);
    }
  }

  private static boolean listens(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String problems(Path file, int n) {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      List<String> found =
          lines.filter(l -> l.contains("[warning]") || l.contains("[error]")).toList();
      return String.join("\n", found.subList(Math.max(0, found.size() - n), found.size()));
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(" + file + ": " + e.getMessage() + ")";
    }
  }

  private static String tail(Path file, int n) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(" + file + ": " + e.getMessage() + ")";
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Empty when a cluster can be started here, else why not. */
  static Optional<String> whyUnavailable() {
    if (serverBin().isEmpty()) {
      return Optional.of(
          "RabbitMQ's server scripts (rabbitmq-server, rabbitmqctl, rabbitmq-queues under"
              + " /usr/lib/rabbitmq/bin or /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin) not found");
    }
    if (epmdBinary().isEmpty()) {
      return Optional.of("epmd not found in " + EPMD_CANDIDATES);
    }
    List<Integer> ports = new ArrayList<>(List.of(EPMD_PORT));
    for (int n = 1; n <= NODES; n++) {
      ports.add(amqpPort(n));
      ports.add(FIRST_DIST_PORT + n - 1);
    }
    List<Integer> taken = ports.stream().filter(RabbitMqCluster::listens).toList();
    if (!taken.isEmpty()) {
      return Optional.of("ports " + taken + " on " + HOST + " are taken (a cluster left running?)");
    }
    return Optional.empty();
  }

  /** RabbitMQ's own bin folder (not the /usr/sbin wrappers, which switch to the rabbitmq user). */
  static Optional<Path> serverBin() {
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of("/usr/lib/rabbitmq/bin"));
    Path lib = Path.of("/usr/lib/rabbitmq/lib");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> dirs = Files.list(lib)) {
        dirs.filter(d -> d.getFileName().toString().startsWith("rabbitmq_server-"))
            .sorted(Comparator.reverseOrder())
            .forEach(d -> candidates.add(d.resolve("sbin")));
      } catch (IOException e) {
        // fall through: no candidates from here
      }
    }
    return candidates.stream()
        .filter(
            d ->
                Stream.of("rabbitmq-server", "rabbitmqctl", "rabbitmq-queues")
                    .allMatch(s -> Files.isExecutable(d.resolve(s))))
        .findFirst();
  }

  private static Optional<Path> epmdBinary() {
    return EPMD_CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
  }
}
