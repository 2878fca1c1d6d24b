package io.mlqueue.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mlqueue.contract.MetricLog;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotServiceTest {

  private static final Duration FAST = Duration.ofMillis(50);

  @TempDir Path dir;

  private void appendRows(int from, int to) throws IOException {
    MetricLogRows.append(dir, from, to, 37, 1.5);
  }

  private List<Path> filesInDir() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(Path::getFileName).toList();
    }
  }

  @Test
  void drawOnceWithoutCsvDrawsTheEmptyChart() throws IOException {
    try (PlotService service = new PlotService(PlotConfig.of(dir))) {
      int rows = service.drawOnce();

      assertThat(rows).isZero();
      BufferedImage image = ImageIO.read(service.pngPath().toFile());
      assertThat(image.getWidth()).isEqualTo(ErrorHistogram.DEFAULT_WIDTH);
      assertThat(image.getHeight()).isEqualTo(ErrorHistogram.DEFAULT_HEIGHT);
      assertThat(service.pngPath().getFileName()).hasToString(PlotService.PNG_FILE_NAME);
    }
  }

  @Test
  void drawOnceCreatesAMissingLogDirectory() throws IOException {
    Path logs = dir.resolve("logs");
    try (PlotService service = new PlotService(PlotConfig.of(logs))) {
      service.drawOnce();

      assertThat(logs.resolve(PlotService.PNG_FILE_NAME)).isRegularFile();
    }
  }

  @Test
  void drawOncePlotsEveryRowAtTheConfiguredSize() throws IOException {
    appendRows(0, 500);
    try (PlotService service = new PlotService(new PlotConfig(dir, FAST, 800, 500))) {
      assertThat(service.drawOnce()).isEqualTo(500);
      appendRows(500, 520);
      assertThat(service.drawOnce()).isEqualTo(520);

      BufferedImage image = ImageIO.read(service.pngPath().toFile());
      assertThat(image.getWidth()).isEqualTo(800);
      assertThat(image.getHeight()).isEqualTo(500);
    }
  }

  @Test
  void serviceRedrawsOnlyWhenTheCsvChanges() throws Exception {
    try (PlotService service = new PlotService(PlotConfig.of(dir).withInterval(FAST))) {
      service.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> service.drawCount() >= 1);
      assertThat(service.rowsPlotted()).isZero();

      Thread.sleep(FAST.toMillis() * 6); // several polls with nothing new
      assertThat(service.drawCount()).isEqualTo(1);

      appendRows(0, 100);
      await().atMost(Duration.ofSeconds(10)).until(() -> service.rowsPlotted() == 100);
      appendRows(100, 130);
      await().atMost(Duration.ofSeconds(10)).until(() -> service.rowsPlotted() == 130);

      assertThat(ImageIO.read(service.pngPath().toFile())).isNotNull();
      assertThat(filesInDir())
          .containsExactlyInAnyOrder(
              Path.of(MetricLog.FILE_NAME), Path.of(PlotService.PNG_FILE_NAME));
    }
  }

  @Test
  void closeStopsThePollerPromptly() throws Exception {
    PlotService service = new PlotService(PlotConfig.of(dir).withInterval(FAST));
    service.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> service.drawCount() >= 1);

    long started = System.nanoTime();
    service.close();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took).isLessThan(Duration.ofSeconds(2));
    assertThat(service.isRunning()).isFalse();
    // The executor counts as terminated just before its worker thread has fully exited.
    await()
        .atMost(Duration.ofSeconds(1))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("plot-poller") && t.isAlive()));
    long draws = service.drawCount();
    appendRows(0, 10);
    Thread.sleep(FAST.toMillis() * 4);
    assertThat(service.drawCount()).isEqualTo(draws);
    assertThat(filesInDir()).noneMatch(p -> p.toString().endsWith(AtomicFiles.TEMP_SUFFIX));
    service.close(); // idempotent
  }

  @Test
  void startTwiceOrAfterCloseIsRejected() {
    PlotService service = new PlotService(PlotConfig.of(dir).withInterval(FAST));
    service.start();
    assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class);
    service.close();
    assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void configDefaultsAndValidation() {
    PlotConfig config = PlotConfig.of(dir);

    assertThat(config.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.width()).isEqualTo(900);
    assertThat(config.height()).isEqualTo(600);
    assertThatThrownBy(() -> config.withInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PlotConfig(dir, FAST, 10, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
