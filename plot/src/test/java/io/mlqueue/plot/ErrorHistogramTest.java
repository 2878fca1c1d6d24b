package io.mlqueue.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.title.TextTitle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorHistogramTest {

  @TempDir Path dir;

  private static double[] sample(int n) {
    Random random = new Random(42);
    double[] errors = new double[n];
    for (int i = 0; i < n; i++) {
      errors[i] = Math.abs(55 * random.nextGaussian());
    }
    return errors;
  }

  private static BufferedImage decode(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as("a decodable PNG").isNotNull();
    return image;
  }

  @Test
  void pngHasTheDefaultSize() throws IOException {
    BufferedImage image = decode(new ErrorHistogram().renderPng(sample(1_234)));

    assertThat(image.getWidth()).isEqualTo(ErrorHistogram.DEFAULT_WIDTH);
    assertThat(image.getHeight()).isEqualTo(ErrorHistogram.DEFAULT_HEIGHT);
  }

  @Test
  void pngHasTheConfiguredSize() throws IOException {
    BufferedImage image = decode(new ErrorHistogram(640, 480).renderPng(sample(50)));

    assertThat(image.getWidth()).isEqualTo(640);
    assertThat(image.getHeight()).isEqualTo(480);
  }

  @Test
  void emptyInputGivesANoDataChart() throws IOException {
    ErrorHistogram histogram = new ErrorHistogram();

    BufferedImage image = decode(histogram.renderPng());

    assertThat(image.getWidth()).isEqualTo(ErrorHistogram.DEFAULT_WIDTH);
    assertThat(histogram.chart(new double[0], 0).getTitle().getText()).contains("no data yet");
  }

  @Test
  void titleCarriesCountAndMae() {
    double[] errors = new double[1_234];
    java.util.Arrays.fill(errors, 43.37);
    errors[0] = 43.37 - 1; // not all equal, and the mean moves by 1/1234
    errors[1] = 43.37 + 1;

    JFreeChart chart = new ErrorHistogram().chart(errors, errors.length);

    assertThat(chart.getTitle().getText()).isEqualTo("Absolute error — n = 1,234, MAE = 43.37");
  }

  @Test
  void subtitleReportsRowsBeyondTheAxis() {
    double[] errors = sample(1_000);
    errors[0] = 100_000;

    JFreeChart chart = new ErrorHistogram().chart(errors, errors.length);

    assertThat(((TextTitle) chart.getSubtitle(0)).getText())
        .contains("1 row above")
        .contains("not shown");
  }

  @Test
  void onlyTheFirstCountValuesArePlotted() {
    double[] errors = {1, 2, 3, 1e9};

    JFreeChart chart = new ErrorHistogram().chart(errors, 3);

    assertThat(chart.getTitle().getText()).contains("n = 3, MAE = 2.00");
    assertThat(errors).containsExactly(1, 2, 3, 1e9);
  }

  @Test
  void writePngReplacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("error_distribution.png");
    ErrorHistogram histogram = new ErrorHistogram();

    histogram.writePng(new double[0], 0, target);
    byte[] first = Files.readAllBytes(target);
    histogram.writePng(sample(200), 200, target);

    assertThat(Files.readAllBytes(target)).isNotEqualTo(first);
    assertThat(decode(Files.readAllBytes(target)).getWidth())
        .isEqualTo(ErrorHistogram.DEFAULT_WIDTH);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void failedWriteLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("occupied");
    Files.createDirectory(target);
    Files.writeString(target.resolve("child"), "x"); // a non-empty directory cannot be replaced

    assertThatThrownBy(() -> new ErrorHistogram().writePng(sample(10), 10, target))
        .isInstanceOf(IOException.class);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void rejectsUnreadableSizes() {
    assertThatThrownBy(() -> new ErrorHistogram(100, 600))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ErrorHistogram(900, 50_000))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void formatsValuesForLabels() {
    assertThat(ChartLabels.format(43.3749)).isEqualTo("43.37");
    assertThat(ChartLabels.format(1234.5)).isEqualTo("1,234.50");
    assertThat(ChartLabels.format(0.012345)).isEqualTo("0.0123");
    assertThat(ChartLabels.format(0)).isEqualTo("0");
    assertThat(ChartLabels.formatCount(1234567)).isEqualTo("1,234,567");
    assertThat(ChartLabels.formatStep(2.5)).isEqualTo("2.5");
    assertThat(ChartLabels.formatStep(10)).isEqualTo("10");
    assertThat(ChartLabels.formatStep(0.001)).isEqualTo("0.001");
  }
}
