package io.mlqueue.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HistogramBinsTest {

  private static HistogramBins binsOf(double... values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return HistogramBins.of(sorted, ErrorStats.of(values));
  }

  private static int total(HistogramBins bins) {
    return Arrays.stream(bins.counts()).sum() + bins.overflow();
  }

  @Test
  void everyValueLandsInABinWithinTheBounds() {
    Random random = new Random(1);
    for (int n : new int[] {2, 10, 100, 1_000, 100_000}) {
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = Math.abs(50 * random.nextGaussian());
      }

      HistogramBins bins = binsOf(values);

      assertThat(bins.size())
          .as("bins for n=%d", n)
          .isBetween(HistogramBins.MIN_BINS, HistogramBins.MAX_BINS);
      assertThat(total(bins)).isEqualTo(n);
      assertThat(bins.start(0)).isLessThanOrEqualTo(Arrays.stream(values).min().orElseThrow());
    }
  }

  @Test
  void widthIsARoundNumberAndEdgesAreMultiplesOfIt() {
    HistogramBins bins = binsOf(0.3, 1.7, 2.2, 3.9, 4.4, 5.1, 6.8, 7.7, 9.95, 12.4);

    double mantissa = bins.width() / Math.pow(10, Math.floor(Math.log10(bins.width())));
    assertThat(mantissa).isIn(1.0, 2.0, 2.5, 5.0);
    assertThat(bins.lower() / bins.width())
        .isCloseTo(Math.rint(bins.lower() / bins.width()), within(1e-9));
  }

  @Test
  void freedmanDiaconisGrowsWithTheSample() {
    assertThat(HistogramBins.suggestedBinCount(1_000, 10, 100)).isEqualTo(50); // h = 2·10/10 = 2
    assertThat(HistogramBins.suggestedBinCount(8_000, 10, 100)).isEqualTo(100); // h = 1
  }

  @Test
  void zeroIqrFallsBackToSturges() {
    assertThat(HistogramBins.suggestedBinCount(1_024, 0, 5)).isEqualTo(11);
  }

  @Test
  void valueOnAnInnerEdgeGoesToTheBinItStarts() {
    // 0.000, 0.001, ..., 1.000: ten bins of 0.1. 3 * 0.1 is 0.30000000000000004 in floating
    // point, so a naive edge would push 0.3 (and its like) into the bin below.
    double[] values = new double[1_001];
    for (int i = 0; i < values.length; i++) {
      values[i] = Double.parseDouble(String.format(java.util.Locale.ROOT, "%.3f", i / 1000.0));
    }

    HistogramBins bins = binsOf(values);

    assertThat(bins.width()).isEqualTo(0.1);
    assertThat(bins.start(3)).isEqualTo(0.3);
    assertThat(bins.counts()).containsExactly(100, 100, 100, 100, 100, 100, 100, 100, 100, 101);
  }

  @Test
  void farOutliersAreCountedAsOverflowInsteadOfStretchingTheAxis() {
    double[] values = new double[1_000];
    Random random = new Random(3);
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.abs(20 * random.nextGaussian());
    }
    values[0] = 10_000;

    HistogramBins bins = binsOf(values);

    assertThat(bins.overflow()).isBetween(1, 5); // the outlier, and maybe a far normal value or two
    assertThat(bins.end(bins.size() - 1)).isLessThan(200);
    assertThat(total(bins)).isEqualTo(values.length);
  }

  @Test
  void aNormalTailIsNotClipped() {
    Random random = new Random(5);
    double[] values = new double[200_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.abs(random.nextGaussian());
    }

    HistogramBins bins = binsOf(values);

    assertThat(bins.overflow()).isZero();
  }

  @Test
  void identicalValuesGetOneBarInsideAnAxisOfSomeWidth() {
    HistogramBins bins = binsOf(3, 3, 3);

    assertThat(bins.size()).isEqualTo(HistogramBins.MIN_BINS);
    assertThat(bins.width()).isPositive();
    assertThat(Arrays.stream(bins.counts()).filter(c -> c > 0)).containsExactly(3);
    assertThat(bins.start(0)).isLessThan(3);
    assertThat(bins.end(bins.size() - 1)).isGreaterThan(3);
  }

  @Test
  void allZeroErrorsKeepTheAxisNonNegative() {
    HistogramBins bins = binsOf(0, 0);

    assertThat(bins.lower()).isZero();
    assertThat(bins.counts()[0]).isEqualTo(2);
  }

  @Test
  void niceStepRoundsToTheNearestLadderValue() {
    assertThat(HistogramBins.niceStep(0.9)).isEqualTo(1.0);
    assertThat(HistogramBins.niceStep(2.3)).isEqualTo(2.5);
    assertThat(HistogramBins.niceStep(3.8)).isEqualTo(5.0);
    assertThat(HistogramBins.niceStep(8.0)).isEqualTo(10.0);
    assertThat(HistogramBins.niceStep(0.0021)).isEqualTo(0.002);
  }
}
