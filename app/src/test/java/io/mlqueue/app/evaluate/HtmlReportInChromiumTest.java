package io.mlqueue.app.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.stats.compare.Settings;
import io.mlqueue.stats.cost.CostModel;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report opened by a real browser, headless Chromium (Debian's {@code chromium}): it loads
 * from a file with no console error and its DOM holds the tables and the four charts. Skipped with
 * a message when Chromium is not installed, except on CI ({@code CI=true}), where .ci/run installs
 * it.
 */
class HtmlReportInChromiumTest {
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

  @Test
  void loadsWithNoConsoleErrorAndShowsEveryChart() throws Exception {
    Optional<Path> browser = chromium();
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(browser)
          .as("chromium is not installed (apt-get install chromium); skipping the browser check")
          .isPresent();
    }
    assertThat(browser).as("CI must have chromium (.ci/run installs it)").isPresent();

    Path log =
        ModelLogs.write(
            dir.resolve("model_log.csv"), "diabetes:1", 60, "diabetes:2", 45, 800, 200, 11);
    CostModel cost =
        new CostModel(
            "EUR",
            2,
            1,
            List.of(new CostModel.Band("high case missed", 200, Double.NaN, Double.NaN, 150, 500)));
    EvaluationRun.Result result =
        new EvaluationRun(
                log,
                null,
                null,
                Optional.empty(),
                Optional.empty(),
                Optional.of(cost),
                new Settings(0.05, 300, 1, 1000, 100),
                EvaluationRun.Mode.REPORT,
                Optional.empty(),
                false,
                new ModelRegistry(dir.resolve("registry")),
                Clock.systemUTC())
            .run();
    Path page = Files.writeString(dir.resolve("report.html"), result.html());

    Path profile = Files.createDirectory(dir.resolve("profile"));
    Process p =
        new ProcessBuilder(
                browser.get().toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + profile,
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                page.toUri().toString())
            .redirectError(dir.resolve("stderr.txt").toFile())
            .redirectOutput(dir.resolve("dom.html").toFile())
            .start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished in time").isTrue();
    String dom = Files.readString(dir.resolve("dom.html"), StandardCharsets.UTF_8);
    String stderr = Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(stderr).isZero();
    // Chromium writes the page's console messages to stderr as "...:INFO:CONSOLE:1] \"message\",
    // source: …"
    assertThat(stderr.lines().filter(l -> l.contains(":CONSOLE") || l.contains("Uncaught")))
        .isEmpty();
    assertThat(dom)
        .contains("<h1>Model evaluation</h1>")
        .contains("Confidence sequence of the saving");
    assertThat(dom.split("<svg", -1)).hasSize(5);
  }
}
