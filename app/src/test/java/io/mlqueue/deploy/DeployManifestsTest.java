package io.mlqueue.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment files agree with the application and with each other: the Kubernetes manifests
 * under {@code deploy/k8s}, {@code docker-compose.yml}, the Prometheus configuration and the
 * Grafana dashboard. No cluster or Docker engine is needed: this reads the files, so a renamed
 * subcommand, a probe on a port nobody serves or a ScaledObject aimed at the wrong queue fails the
 * build.
 */
class DeployManifestsTest {

  /** Maven runs the tests in the module directory, app/. */
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static final Set<String> SUBCOMMANDS =
      Set.of("features", "model", "metric", "plot", "gateway");
  private static final Set<String> COMPOSE_INFRA = Set.of("rabbitmq", "prometheus", "grafana");
  private static final String NAMESPACE = "mlqueue";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  /** Every document of every file under deploy/k8s, by "Kind/name". */
  private static Map<String, JsonNode> k8s;

  private static JsonNode compose;

  @BeforeAll
  static void load() throws IOException {
    k8s = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(ROOT.resolve("deploy/k8s"))) {
      files =
          s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    }
    assertThat(files).as("manifests under deploy/k8s").isNotEmpty();
    for (Path file : files) {
      for (JsonNode doc : readAllDocuments(file)) {
        String key = doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
        assertThat(doc.path("apiVersion").asText())
            .as("apiVersion of %s in %s", key, file)
            .isNotEmpty();
        assertThat(k8s.put(key, doc)).as("%s defined twice (again in %s)", key, file).isNull();
      }
    }
    compose = readCompose(ROOT.resolve("docker-compose.yml"));
  }

  /** Multi-document YAML through Jackson, as kubectl reads it (plain YAML, no anchors needed). */
  private static List<JsonNode> readAllDocuments(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(file);
        var it =
            YAML.readerFor(JsonNode.class)
                .<JsonNode>readValues(new YAMLFactory().createParser(r))) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isMissingNode() && !doc.isNull() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  /**
   * The compose file uses YAML merge keys ({@code <<: *mlqueue}), which Jackson's YAML module
   * leaves unresolved; SnakeYAML, the parser under it, resolves them as Docker Compose does.
   */
  private static JsonNode readCompose(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file)) {
      Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
      return JSON.valueToTree(tree);
    }
  }

  private static JsonNode get(String kind, String name) {
    JsonNode doc = k8s.get(kind + "/" + name);
    assertThat(doc).as("%s %s in deploy/k8s", kind, name).isNotNull();
    return doc;
  }

  private static List<JsonNode> all(String kind) {
    return k8s.values().stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** A container's command line after the image's entrypoint: command (if set) then args. */
  private static List<String> commandLine(JsonNode container) {
    List<String> line = new ArrayList<>(strings(container.path("command")));
    line.addAll(strings(container.path("args")));
    return line;
  }

  /** The value of {@code --name VALUE} or {@code --name=VALUE}, or null. */
  private static String option(List<String> line, String name) {
    for (int i = 0; i < line.size(); i++) {
      String a = line.get(i);
      if (a.equals(name) && i + 1 < line.size()) {
        return line.get(i + 1);
      }
      if (a.startsWith(name + "=")) {
        return a.substring(name.length() + 1);
      }
    }
    return null;
  }

  /** The TCP ports a service's command line makes it listen on. */
  private static Set<Integer> servedPorts(List<String> line) {
    Set<Integer> ports = new HashSet<>();
    if (line.isEmpty()) {
      return ports;
    }
    if (line.get(0).equals("gateway")) {
      String port = option(line, "--port");
      ports.add(port == null ? 8080 : Integer.parseInt(port));
    } else if (Set.of("features", "model", "metric", "plot").contains(line.get(0))) {
      String port = option(line, "--metrics-port");
      if (port != null) {
        ports.add(Integer.parseInt(port));
      }
    }
    return ports;
  }

  private static String imageRepository(String image) {
    String noDigest = image.split("@")[0];
    int slash = noDigest.lastIndexOf('/');
    int colon = noDigest.lastIndexOf(':');
    String repo = colon > slash ? noDigest.substring(0, colon) : noDigest;
    return repo.substring(repo.lastIndexOf('/') + 1);
  }

  @Test
  void theImageBuildCopiesThePomOfEveryModuleAndStartsServicesFromTheirCaches() throws IOException {
    // Maven reads every module of the reactor even for -pl app -am: a module whose pom the
    // Dockerfile does not copy breaks the image build, which no test here can run.
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    List<String> modules = new java.util.ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("<module>([^<]+)</module>").matcher(pom);
    while (m.find()) {
      modules.add(m.group(1));
    }
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    assertThat(modules)
        .isNotEmpty()
        .allSatisfy(
            module ->
                assertThat(dockerfile)
                    .as("Dockerfile copies %s/pom.xml", module)
                    .contains("COPY " + module + "/pom.xml " + module + "/"));
    String entrypoint = Files.readString(ROOT.resolve("scripts/docker-entrypoint.sh"));
    String training = Files.readString(ROOT.resolve("scripts/train-startup-caches.sh"));
    for (String service : SUBCOMMANDS) {
      if (!service.equals("features")) {
        assertThat(training)
            .as("the image trains %s's start-up cache", service)
            .contains("start_training " + service + " " + service);
      }
    }
    assertThat(training).contains("train features features");
    assertThat(entrypoint).contains("-XX:AOTCache=\"$cache\"").contains("/app/aot/");
    assertThat(dockerfile).contains("ENTRYPOINT [\"/app/scripts/docker-entrypoint.sh\"]");
    // The image runs each service with the launcher's JVM defaults, and trains its caches with
    // them.
    assertThat(dockerfile).containsPattern("COPY [^\n]*scripts/jvm-defaults.sh /app/scripts/");
    assertThat(entrypoint)
        .contains(". /app/scripts/jvm-defaults.sh")
        .contains("mlqueue_jvm_defaults \"${1:-}\"");
    assertThat(training).contains("jvm-defaults.sh").contains("mlqueue_jvm_defaults \"$1\"");
  }

  @Test
  void theServicesJvmDefaultsCapTheHeapAndTheUserCanReplaceThem() throws Exception {
    for (String service : SUBCOMMANDS) {
      assertThat(jvmDefaults(service, null))
          .contains(
              "-XX:TieredStopAtLevel=1",
              "-XX:+UseSerialGC",
              "-Xmx128m",
              "-XX:+ExitOnOutOfMemoryError");
    }
    assertThat(jvmDefaults("demo", null)).contains("-Xmx256m");
    assertThat(jvmDefaults("train", null)).isBlank(); // a one-off command keeps the JVM's choices
    assertThat(jvmDefaults("model", "-Xmx1g")).isEqualTo("-Xmx1g");
    assertThat(jvmDefaults("model", "")).isBlank();
  }

  /** What scripts/jvm-defaults.sh gives {@code command}, with MLQUEUE_JVM_DEFAULTS set or not. */
  private static String jvmDefaults(String command, String replacement) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                "sh", "-c", ". scripts/jvm-defaults.sh && mlqueue_jvm_defaults \"$0\"", command)
            .directory(ROOT.toFile())
            .redirectErrorStream(true);
    pb.environment().remove("MLQUEUE_JVM_DEFAULTS");
    if (replacement != null) {
      pb.environment().put("MLQUEUE_JVM_DEFAULTS", replacement);
    }
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            .strip();
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  @Test
  void theManifestsDefineTheExpectedResources() {
    assertThat(k8s.keySet())
        .contains(
            "Namespace/mlqueue",
            "ConfigMap/mlqueue-config",
            "Secret/mlqueue-broker",
            "Deployment/features",
            "Deployment/model",
            "Deployment/metric",
            "Deployment/plot",
            "Deployment/gateway",
            "Service/gateway",
            "Service/plot",
            "PersistentVolumeClaim/mlqueue-logs",
            "PersistentVolumeClaim/mlqueue-registry",
            "RabbitmqCluster/rabbitmq",
            "TriggerAuthentication/mlqueue-broker",
            "ScaledObject/model");
    assertThat(all("Deployment"))
        .extracting(d -> d.path("metadata").path("name").asText())
        .containsExactlyInAnyOrderElementsOf(SUBCOMMANDS);
    k8s.forEach(
        (key, doc) -> {
          if (!doc.path("kind").asText().equals("Namespace")) {
            assertThat(doc.path("metadata").path("namespace").asText())
                .as("namespace of %s", key)
                .isEqualTo(NAMESPACE);
          }
        });
    assertThat(get("RabbitmqCluster", "rabbitmq").path("apiVersion").asText())
        .isEqualTo("rabbitmq.com/v1beta1");
    assertThat(get("ScaledObject", "model").path("apiVersion").asText())
        .isEqualTo("keda.sh/v1alpha1");
  }

  @Test
  void everyDeploymentRunsASubcommandOfTheMlqueueImage() {
    for (JsonNode d : all("Deployment")) {
      String name = d.path("metadata").path("name").asText();
      JsonNode spec = d.path("spec");
      JsonNode podLabels = spec.path("template").path("metadata").path("labels");
      spec.path("selector")
          .path("matchLabels")
          .fields()
          .forEachRemaining(
              e ->
                  assertThat(podLabels.path(e.getKey()).asText())
                      .as("%s selects its own pods", name)
                      .isEqualTo(e.getValue().asText()));
      JsonNode containers = spec.path("template").path("spec").path("containers");
      assertThat(containers).as("containers of %s", name).hasSize(1);
      JsonNode c = containers.get(0);
      List<String> line = commandLine(c);
      assertThat(line).as("command line of %s", name).isNotEmpty();
      assertThat(line.get(0)).as("subcommand of %s", name).isIn(SUBCOMMANDS).isEqualTo(name);
      assertThat(imageRepository(c.path("image").asText()))
          .as("image of %s", name)
          .isEqualTo("mlqueue");
      if (!name.equals("plot")) {
        JsonNode uri = env(c, "MLQUEUE_AMQP_URI").path("valueFrom").path("secretKeyRef");
        assertThat(uri.path("name").asText())
            .as("%s takes its broker URI from the Secret", name)
            .isEqualTo("mlqueue-broker");
        assertThat(get("Secret", "mlqueue-broker").path("stringData").has(uri.path("key").asText()))
            .as("the Secret has key %s", uri.path("key").asText())
            .isTrue();
        // The cluster replicates queues only if they are quorum queues.
        assertThat(line)
            .as("%s on the three-node cluster", name)
            .containsSequence("--queue-type", "quorum");
      }
    }
    assertThat(replicas("model")).isEqualTo(2);
    assertThat(replicas("gateway")).isEqualTo(2);
    assertThat(replicas("metric")).as("one writer of metric_log.csv").isEqualTo(1);
    assertThat(commandLine(container("metric"))).containsSequence("--log-dir", "/app/logs");
    assertThat(commandLine(container("plot"))).containsSequence("--log-dir", "/app/logs");
  }

  private static JsonNode container(String deployment) {
    return get("Deployment", deployment)
        .path("spec")
        .path("template")
        .path("spec")
        .path("containers")
        .get(0);
  }

  private static int replicas(String deployment) {
    return get("Deployment", deployment).path("spec").path("replicas").asInt();
  }

  private static JsonNode env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError(container.path("name").asText() + " has no env " + name);
  }

  @Test
  void everyProbeHitsAPortTheContainerServes() {
    for (JsonNode d : all("Deployment")) {
      String name = d.path("metadata").path("name").asText();
      JsonNode c = d.path("spec").path("template").path("spec").path("containers").get(0);
      Set<Integer> served = servedPorts(commandLine(c));
      Set<Integer> declared = new HashSet<>();
      c.path("ports").forEach(p -> declared.add(p.path("containerPort").asInt()));
      assertThat(declared)
          .as("containerPorts of %s are the ports its args open", name)
          .isEqualTo(served);
      int probes = 0;
      for (String kind : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
        JsonNode probe = c.path(kind);
        if (probe.isMissingNode()) {
          continue;
        }
        probes++;
        JsonNode target;
        if (probe.has("httpGet")) {
          target = probe.path("httpGet");
          assertThat(target.path("path").asText())
              .as("%s path of %s", kind, name)
              .isEqualTo("/health");
        } else {
          target = probe.path("tcpSocket");
          assertThat(target.isMissingNode())
              .as("%s of %s is httpGet or tcpSocket", kind, name)
              .isFalse();
        }
        assertThat(target.path("port").asInt()).as("%s port of %s", kind, name).isIn(served);
      }
      if (served.isEmpty()) {
        assertThat(probes).as("%s serves no port, so it can have no probe", name).isZero();
      } else {
        assertThat(c.path("readinessProbe").path("httpGet").path("path").asText())
            .as("%s is ready when /health says so", name)
            .isEqualTo("/health");
        assertThat(c.has("livenessProbe")).as("%s has a liveness probe", name).isTrue();
      }
    }
    assertThat(servedPorts(commandLine(container("gateway")))).containsExactly(8080);
    for (String s : List.of("features", "model", "metric")) {
      assertThat(servedPorts(commandLine(container(s)))).as(s).containsExactly(9100);
    }
  }

  @Test
  void everyContainerHasResourcesAndRunsAsNonRoot() {
    for (JsonNode d : all("Deployment")) {
      String name = d.path("metadata").path("name").asText();
      JsonNode pod = d.path("spec").path("template").path("spec");
      assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean())
          .as("runAsNonRoot of %s", name)
          .isTrue();
      for (JsonNode c : pod.path("containers")) {
        for (String bound : List.of("requests", "limits")) {
          for (String resource : List.of("cpu", "memory")) {
            assertThat(c.path("resources").path(bound).path(resource).asText())
                .as("%s %s of %s", bound, resource, name)
                .isNotEmpty();
          }
        }
        JsonNode sc = c.path("securityContext");
        assertThat(sc.path("readOnlyRootFilesystem").asBoolean())
            .as("read-only root of %s", name)
            .isTrue();
        assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true))
            .as("privilege escalation of %s", name)
            .isFalse();
      }
    }
  }

  @Test
  void metricAndPlotShareTheLogsVolume() {
    JsonNode pvc = get("PersistentVolumeClaim", "mlqueue-logs");
    assertThat(strings(pvc.path("spec").path("accessModes"))).contains("ReadWriteMany");
    for (String name : List.of("metric", "plot")) {
      JsonNode pod = get("Deployment", name).path("spec").path("template").path("spec");
      String volume = null;
      for (JsonNode v : pod.path("volumes")) {
        if (v.path("persistentVolumeClaim").path("claimName").asText().equals("mlqueue-logs")) {
          volume = v.path("name").asText();
        }
      }
      assertThat(volume).as("%s mounts the logs claim", name).isNotNull();
      boolean mounted = false;
      for (JsonNode m : pod.path("containers").get(0).path("volumeMounts")) {
        mounted |=
            m.path("name").asText().equals(volume)
                && m.path("mountPath").asText().equals("/app/logs");
      }
      assertThat(mounted).as("%s mounts the logs volume at /app/logs", name).isTrue();
    }
  }

  @Test
  void modelWorkersServeTheConfiguredModelAndReadTheRegistryReadOnly() {
    JsonNode model = container("model");
    JsonNode env = null;
    for (JsonNode e : (ArrayNode) model.path("env")) {
      if (e.path("name").asText().equals("MLQUEUE_MODEL")) {
        env = e;
      }
    }
    assertThat(env).as("MLQUEUE_MODEL in the model container").isNotNull();
    JsonNode ref = env.path("valueFrom").path("configMapKeyRef");
    assertThat(ref.path("name").asText()).isEqualTo("mlqueue-config");
    assertThat(
            get("ConfigMap", "mlqueue-config").path("data").path(ref.path("key").asText()).asText())
        .isEqualTo("builtin");

    JsonNode pod = get("Deployment", "model").path("spec").path("template").path("spec");
    String volume = null;
    for (JsonNode v : (ArrayNode) pod.path("volumes")) {
      if (v.path("persistentVolumeClaim").path("claimName").asText().equals("mlqueue-registry")) {
        volume = v.path("name").asText();
      }
    }
    assertThat(volume).as("model mounts the registry claim").isNotNull();
    boolean readOnlyAtDefault = false;
    for (JsonNode m : (ArrayNode) model.path("volumeMounts")) {
      readOnlyAtDefault |=
          m.path("name").asText().equals(volume)
              && m.path("mountPath").asText().equals("/app/registry")
              && m.path("readOnly").asBoolean();
    }
    assertThat(readOnlyAtDefault).as("registry mounted read-only at /app/registry").isTrue();
  }

  @Test
  void theGatewayServiceTargetsTheGatewayPods() {
    JsonNode svc = serviceSelectingOnly("gateway");
    assertThat(svc.path("spec").path("ports")).hasSize(1);
    assertThat(svc.path("spec").path("ports").get(0).path("targetPort").asInt()).isEqualTo(8080);
  }

  @Test
  void thePlotServiceReachesTheDashboardOnThePortPlotServes() {
    JsonNode svc = serviceSelectingOnly("plot");
    assertThat(svc.path("spec").path("ports")).hasSize(1);
    assertThat(svc.path("spec").path("ports").get(0).path("targetPort").asInt())
        .isIn(servedPorts(commandLine(container("plot"))));
  }

  @Test
  void plotsPipelinePanelReachesTheBrokerAndMetricsHistogram() {
    // Kubernetes: the broker URI from the Secret, metric's /metrics through its Service.
    JsonNode plot = container("plot");
    List<String> line = commandLine(plot);
    assertThat(line).contains("--broker-stats");
    assertThat(env(plot, "MLQUEUE_AMQP_URI").path("valueFrom").path("secretKeyRef").path("name"))
        .hasToString("\"mlqueue-broker\"");
    java.net.URI url = java.net.URI.create(line.get(line.indexOf("--metric-url") + 1));
    assertThat(url.getHost()).isEqualTo("metric." + NAMESPACE + ".svc");
    assertThat(url.getPath()).isEqualTo("/metrics");
    JsonNode svc = serviceSelectingOnly("metric");
    assertThat(svc.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(url.getPort());
    assertThat(svc.path("spec").path("ports").get(0).path("targetPort").asInt())
        .isIn(servedPorts(commandLine(container("metric"))));
    // Compose: the same through the environment, metric by its service name.
    JsonNode services = compose.path("services");
    JsonNode env = services.path("plot").path("environment");
    assertThat(env.path("MLQUEUE_BROKER_STATS").asText()).isEqualTo("true");
    java.net.URI composeUrl = java.net.URI.create(env.path("MLQUEUE_METRIC_URL").asText());
    assertThat(composeUrl.getHost()).isEqualTo("metric");
    assertThat(composeUrl.getPort()).isIn(servedPorts(composeCommand(services.path("metric"))));
  }

  /**
   * Service {@code name}, after checking that its selector picks Deployment {@code name}'s pods and
   * no others.
   */
  private static JsonNode serviceSelectingOnly(String name) {
    JsonNode svc = get("Service", name);
    JsonNode selector = svc.path("spec").path("selector");
    assertThat(selector.isEmpty()).isFalse();
    for (JsonNode d : all("Deployment")) {
      String deployment = d.path("metadata").path("name").asText();
      JsonNode labels = d.path("spec").path("template").path("metadata").path("labels");
      boolean selected = true;
      for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        selected &= labels.path(e.getKey()).asText().equals(e.getValue().asText());
      }
      assertThat(selected)
          .as("the %s Service selects %s", name, deployment)
          .isEqualTo(deployment.equals(name));
    }
    return svc;
  }

  @Test
  void kedaScalesTheModelWorkersOnQueueFeatures() {
    JsonNode spec = get("ScaledObject", "model").path("spec");
    assertThat(spec.path("scaleTargetRef").path("name").asText()).isEqualTo("model");
    assertThat(spec.path("scaleTargetRef").path("kind").asText("Deployment"))
        .isEqualTo("Deployment");
    assertThat(spec.path("minReplicaCount").asInt())
        .as("never fewer workers than the Deployment's 2")
        .isGreaterThanOrEqualTo(2);
    assertThat(spec.path("triggers")).hasSize(1);
    JsonNode trigger = spec.path("triggers").get(0);
    assertThat(trigger.path("type").asText()).isEqualTo("rabbitmq");
    assertThat(trigger.path("metadata").path("queueName").asText()).isEqualTo("features");
    assertThat(trigger.path("metadata").path("mode").asText()).isEqualTo("QueueLength");
    assertThat(trigger.path("metadata").path("value").asText()).matches("[1-9][0-9]*");
    String authName = trigger.path("authenticationRef").path("name").asText();
    JsonNode auth = get("TriggerAuthentication", authName);
    JsonNode ref = auth.path("spec").path("secretTargetRef");
    assertThat(ref).hasSize(1);
    assertThat(ref.get(0).path("parameter").asText()).isEqualTo("host");
    assertThat(
            get("Secret", ref.get(0).path("name").asText())
                .path("stringData")
                .has(ref.get(0).path("key").asText()))
        .isTrue();
  }

  @Test
  void theBrokerIsAThreeNodeClusterThatKnowsTheServicesUser() {
    JsonNode cluster = get("RabbitmqCluster", "rabbitmq");
    assertThat(cluster.path("spec").path("replicas").asInt()).isEqualTo(3);
    String config = cluster.path("spec").path("rabbitmq").path("additionalConfig").asText();
    JsonNode secret = get("Secret", "mlqueue-broker").path("stringData");
    String user = secret.path("username").asText();
    String pass = secret.path("password").asText();
    assertThat(config).containsPattern("(?m)^default_user = " + Pattern.quote(user) + "$");
    assertThat(config).containsPattern("(?m)^default_pass = " + Pattern.quote(pass) + "$");
    // The URI the services and KEDA use: that user, at the operator's client Service for the
    // cluster.
    Matcher uri =
        Pattern.compile("amqp://([^:@/]+):([^@/]+)@([^:/]+):5672/%2F")
            .matcher(secret.path("amqp-uri").asText());
    assertThat(uri.matches()).as("amqp-uri %s", secret.path("amqp-uri").asText()).isTrue();
    assertThat(uri.group(1)).isEqualTo(user);
    assertThat(uri.group(2)).isEqualTo(pass);
    assertThat(uri.group(3))
        .isIn(
            "rabbitmq",
            "rabbitmq." + NAMESPACE,
            "rabbitmq." + NAMESPACE + ".svc",
            "rabbitmq." + NAMESPACE + ".svc.cluster.local");
  }

  // ---- docker-compose.yml ----------------------------------------------------------------------

  /**
   * A compose service's effective command line: its {@code command:}, then one option per {@code
   * MLQUEUE_*} variable of its environment ({@code MLQUEUE_LOG_DIR: /app/logs} is {@code --log-dir
   * /app/logs}), as the launcher reads them.
   */
  private static List<String> composeCommand(JsonNode service) {
    JsonNode command = service.path("command");
    List<String> line =
        new ArrayList<>(
            command.isTextual()
                ? List.of(command.asText().trim().split("\\s+"))
                : strings(command));
    service
        .path("environment")
        .fields()
        .forEachRemaining(
            e -> {
              String name = e.getKey();
              if (name.startsWith("MLQUEUE_") && !name.equals("MLQUEUE_AMQP_URI")) {
                line.add(
                    "--"
                        + name.substring("MLQUEUE_".length())
                            .toLowerCase(java.util.Locale.ROOT)
                            .replace('_', '-'));
                line.add(e.getValue().asText());
              }
            });
    return line;
  }

  @Test
  void composeConfiguresTheServicesOnlyThroughTheEnvironment() {
    JsonNode services = compose.path("services");
    for (String name : SUBCOMMANDS) {
      assertThat(strings(services.path(name).path("command")))
          .as("%s: the subcommand only; its settings are environment variables", name)
          .containsExactly(name);
    }
  }

  @Test
  void everyComposeServiceWaitsForAHealthyBroker() {
    JsonNode services = compose.path("services");
    Set<String> names = new HashSet<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsAll(SUBCOMMANDS).containsAll(COMPOSE_INFRA);
    assertThat(strings(services.path("rabbitmq").path("healthcheck").path("test")))
        .contains("rabbitmq-diagnostics", "ping");
    for (String name : names) {
      JsonNode s = services.path(name);
      if (COMPOSE_INFRA.contains(name)) {
        continue;
      }
      assertThat(s.path("depends_on").path("rabbitmq").path("condition").asText())
          .as("%s depends on a healthy rabbitmq", name)
          .isEqualTo("service_healthy");
      List<String> command = composeCommand(s);
      assertThat(command).as("command of %s", name).isNotEmpty();
      assertThat(command.get(0)).as("subcommand of %s", name).isIn(SUBCOMMANDS);
      assertThat(s.path("image").asText()).isEqualTo("mlqueue:latest");
      assertThat(s.has("build")).as("%s builds the image", name).isTrue();
      assertThat(s.path("environment").path("MLQUEUE_AMQP_URI").asText())
          .as("%s logs in as the broker's configured user", name)
          .contains(
              "${MLQUEUE_RABBITMQ_USER:-mlqueue}:${MLQUEUE_RABBITMQ_PASSWORD:-mlqueue}@rabbitmq:5672");
    }
    JsonNode rabbitEnv = services.path("rabbitmq").path("environment");
    assertThat(rabbitEnv.path("RABBITMQ_DEFAULT_USER").asText())
        .isEqualTo("${MLQUEUE_RABBITMQ_USER:-mlqueue}");
    assertThat(rabbitEnv.path("RABBITMQ_DEFAULT_PASS").asText())
        .isEqualTo("${MLQUEUE_RABBITMQ_PASSWORD:-mlqueue}");
    for (String name : List.of("metric", "plot")) {
      assertThat(composeCommand(services.path(name))).containsSequence("--log-dir", "/app/logs");
      assertThat(strings(services.path(name).path("volumes"))).contains("./logs:/app/logs");
    }
    for (String name : List.of("prometheus", "grafana")) {
      assertThat(strings(services.path(name).path("profiles")))
          .as(name)
          .containsExactly("monitoring");
    }
  }

  @Test
  void composeModelWorkersServeTheBuiltInModelUnlessToldAndReadTheRegistryReadOnly() {
    JsonNode model = compose.path("services").path("model");
    assertThat(model.path("environment").path("MLQUEUE_MODEL").asText())
        .isEqualTo("${MLQUEUE_MODEL:-builtin}");
    // The registry's default directory is "registry" in the working directory, /app in the image.
    assertThat(strings(model.path("volumes"))).contains("./registry:/app/registry:ro");
  }

  @Test
  void composePublishesOnlyPortsTheServicesServe() {
    JsonNode services = compose.path("services");
    for (String name : SUBCOMMANDS) {
      Set<Integer> served = servedPorts(composeCommand(services.path(name)));
      for (String mapping : strings(services.path(name).path("ports"))) {
        int container = Integer.parseInt(mapping.substring(mapping.lastIndexOf(':') + 1));
        assertThat(served).as("%s publishes %s", name, mapping).contains(container);
      }
    }
    assertThat(strings(services.path("gateway").path("ports"))).containsExactly("8080:8080");
    assertThat(strings(services.path("plot").path("ports")))
        .as("the dashboard, on the demo's port")
        .containsExactly("8081:9100");
  }

  @Test
  void prometheusScrapesPortsTheComposeServicesServe() throws IOException {
    JsonNode services = compose.path("services");
    JsonNode prometheus = readAllDocuments(ROOT.resolve("deploy/prometheus/prometheus.yml")).get(0);
    Set<String> scraped = new HashSet<>();
    for (JsonNode job : prometheus.path("scrape_configs")) {
      List<String> targets = new ArrayList<>();
      job.path("static_configs").forEach(sc -> targets.addAll(strings(sc.path("targets"))));
      job.path("dns_sd_configs")
          .forEach(
              dns ->
                  dns.path("names")
                      .forEach(n -> targets.add(n.asText() + ":" + dns.path("port").asInt())));
      assertThat(targets).as("targets of job %s", job.path("job_name").asText()).isNotEmpty();
      for (String target : targets) {
        String host = target.substring(0, target.lastIndexOf(':'));
        int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
        assertThat(services.has(host)).as("scrape target %s is a compose service", target).isTrue();
        assertThat(servedPorts(composeCommand(services.path(host))))
            .as("%s serves %d", host, port)
            .contains(port);
        assertThat(job.path("metrics_path").asText("/metrics")).isEqualTo("/metrics");
        scraped.add(host);
      }
    }
    assertThat(scraped)
        .as("every service with a metrics port is scraped")
        .containsExactlyInAnyOrder("gateway", "model", "metric", "features", "plot");
  }

  @Test
  void theGrafanaDashboardQueriesMetricsTheServicesExport() throws IOException {
    Path dashboards = ROOT.resolve("deploy/grafana/dashboards");
    List<Path> files;
    try (Stream<Path> s = Files.list(dashboards)) {
      files = s.filter(p -> p.toString().endsWith(".json")).toList();
    }
    assertThat(files).hasSize(1);
    JsonNode dashboard = JSON.readTree(files.get(0).toFile());
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : (ArrayNode) dashboard.path("panels")) {
      assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("prometheus");
      panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
    }
    assertThat(String.join("\n", exprs))
        .contains(
            "mlqueue_gateway_requests_total",
            "mlqueue_gateway_request_duration_seconds_bucket",
            "mlqueue_model_batch_rows",
            "jvm_memory_used_bytes",
            "mlqueue_metric_pair_delay_seconds_bucket",
            "mlqueue_metric_mae",
            "mlqueue_metric_rmse");
    JsonNode datasources =
        readAllDocuments(ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml"))
            .get(0);
    assertThat(datasources.path("datasources").get(0).path("uid").asText()).isEqualTo("prometheus");
  }
}
