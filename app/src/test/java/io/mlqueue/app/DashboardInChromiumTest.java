package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The demo's live dashboard in headless Chromium (Debian's {@code chromium}) at 1280×900, while a
 * shift of bmi makes a drift episode: the page loads with no console message (an error, a failed
 * request, a CSP violation would each write one), its row count moves between two loads, the drift
 * panel names the episode, and a screenshot is saved to {@code app/target/dashboard-1280x900.png}.
 * Skipped when Chromium is not installed, except on CI ({@code CI=true}), where .ci/run installs it.
 */
class DashboardInChromiumTest {
  @TempDir Path dir;

  private static Optional<Path> chromium() {
    for (String name : List.of("chromium", "chromium-browser")) {
      for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path p = Path.of(d, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private String[] load(Path browser, String url, String name, String... extra) throws Exception {
    Path profile = Files.createDirectories(dir.resolve("profile-" + name));
    List<String> cmd = new java.util.ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
        "--window-size=1280,900", "--virtual-time-budget=4000"));
    cmd.addAll(List.of(extra));
    cmd.add(url);
    Process p = new ProcessBuilder(cmd)
        .redirectError(dir.resolve(name + ".err").toFile())
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished in time").isTrue();
    String stderr = Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(stderr).isZero();
    return new String[] {Files.readString(dir.resolve(name + ".out"), StandardCharsets.UTF_8), stderr};
  }

  private static long rows(String dom) {
    Matcher m = Pattern.compile("id=\"s-rows\">([0-9,]+)<").matcher(dom);
    assertThat(m.find()).as("the rows card has a number").isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  @Test
  void theDashboardLoadsCleanlyMovesAndShowsADriftEpisode() throws Exception {
    Optional<Path> browser = chromium();
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(browser).as("chromium is not installed (apt-get install chromium); skipping").isPresent();
    }
    assertThat(browser).as("CI must have chromium (.ci/run installs it)").isPresent();

    DemoCommand demo = new DemoCommand();
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> new CommandLine(demo).execute(
        "--rate", "400", "--status-every", "1s", "--gateway-port", "0", "--dashboard-port", "0",
        "--log-dir", dir.resolve("logs").toString(), "--drift-window", "200", "--shift", "bmi:0.05@600"));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> demo.dashboardUrl != null || run.isDone());
      assertThat(demo.dashboardUrl).isNotNull();
      HttpClient http = HttpClient.newHttpClient();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
        JsonNode d = new ObjectMapper().readTree(http.send(
            HttpRequest.newBuilder(URI.create(demo.dashboardUrl + "/api/drift")).build(),
            HttpResponse.BodyHandlers.ofString()).body());
        return d.path("episodes").size() > 0;
      });
      String[] first = load(browser.get(), demo.dashboardUrl + "/", "first", "--dump-dom");
      String[] second = load(browser.get(), demo.dashboardUrl + "/", "second", "--dump-dom");
      Path shot = Path.of("target", "dashboard-1280x900.png").toAbsolutePath();
      Files.deleteIfExists(shot);
      load(browser.get(), demo.dashboardUrl + "/", "shot", "--screenshot=" + shot, "--hide-scrollbars");

      for (String[] page : List.of(first, second)) {
        assertThat(page[1].lines().filter(l -> l.contains(":CONSOLE") || l.contains("Uncaught")
            || l.contains("Failed to load resource"))).isEmpty();
        assertThat(page[0]).contains("Drift against the training data").contains("drift episode: bmi");
      }
      assertThat(second[0]).containsPattern("bmi: drifted from [0-9:]+ \\(window [0-9]+\\)");
      assertThat(rows(second[0])).as("rows move while predictions flow").isGreaterThan(rows(first[0]));
      assertThat(shot).exists();
      assertThat(Files.size(shot)).isGreaterThan(10_000);
    } finally {
      demo.stop();
    }
    assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
  }
}
