package io.mlqueue.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ErrorStatsTest {

  @Test
  void meanAndMedianOfOddSample() {
    ErrorStats stats = ErrorStats.of(9, 1, 5, 3, 7);

    assertThat(stats.count()).isEqualTo(5);
    assertThat(stats.mean()).isEqualTo(5.0);
    assertThat(stats.median()).isEqualTo(5.0);
    assertThat(stats.min()).isEqualTo(1.0);
    assertThat(stats.max()).isEqualTo(9.0);
  }

  @Test
  void medianOfEvenSampleIsMidpointOfMiddleValues() {
    ErrorStats stats = ErrorStats.of(10, 1, 4, 2);

    assertThat(stats.median()).isEqualTo(3.0);
    assertThat(stats.mean()).isEqualTo(4.25);
  }

  @Test
  void skewedSampleHasMeanAboveMedian() {
    ErrorStats stats = ErrorStats.of(1, 1, 2, 2, 3, 100);

    assertThat(stats.median()).isEqualTo(2.0);
    assertThat(stats.mean()).isCloseTo(18.1667, within(1e-4));
  }

  @Test
  void quantilesInterpolateLinearlyLikeNumpy() {
    // numpy.percentile([1..10], [25, 75, 90]) == [3.25, 7.75, 9.1]
    ErrorStats stats = ErrorStats.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);

    assertThat(stats.q1()).isCloseTo(3.25, within(1e-12));
    assertThat(stats.q3()).isCloseTo(7.75, within(1e-12));
    assertThat(stats.p90()).isCloseTo(9.1, within(1e-12));
    assertThat(stats.iqr()).isCloseTo(4.5, within(1e-12));
  }

  @Test
  void usesOnlyTheFirstCountValuesAndLeavesTheArrayAlone() {
    double[] values = {5, 3, 1, 1000, 2000};

    ErrorStats stats = ErrorStats.of(values, 3);

    assertThat(stats.count()).isEqualTo(3);
    assertThat(stats.mean()).isEqualTo(3.0);
    assertThat(stats.median()).isEqualTo(3.0);
    assertThat(values).containsExactly(5, 3, 1, 1000, 2000);
  }

  @Test
  void singleValue() {
    ErrorStats stats = ErrorStats.of(42.5);

    assertThat(stats.mean()).isEqualTo(42.5);
    assertThat(stats.median()).isEqualTo(42.5);
    assertThat(stats.q1()).isEqualTo(42.5);
    assertThat(stats.iqr()).isZero();
  }

  @Test
  void emptySampleIsNaN() {
    ErrorStats stats = ErrorStats.of();

    assertThat(stats.isEmpty()).isTrue();
    assertThat(stats.mean()).isNaN();
    assertThat(stats.median()).isNaN();
    assertThat(stats).isSameAs(ErrorStats.EMPTY);
  }

  @Test
  void rejectsCountOutsideTheArray() {
    assertThatThrownBy(() -> ErrorStats.of(new double[2], 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ErrorStats.of(new double[2], -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
