package io.mlqueue.plot;

/**
 * Equal-width histogram bins: bin {@code i} covers {@code [start(i), end(i))}, the last bin also
 * holds its upper edge.
 *
 * <p>The bin count follows the Freedman–Diaconis rule ({@code width = 2 IQR / n^(1/3)}), which
 * copes with the long right tail that absolute errors usually have, falling back to Sturges' rule
 * when the IQR is zero. The width is then rounded to a "nice" step (1, 2, 2.5 or 5 times a power of
 * ten) so the bin edges land on round numbers a reader can check against the axis, keeping the
 * count within [{@value #MIN_BINS}, {@value #MAX_BINS}]. Edges are whole multiples of the step,
 * computed so that an edge such as 0.3 is the same double as the parsed text "0.3" and a value on
 * it lands in the bin it starts.
 *
 * <p>When the largest value lies well beyond Tukey's far-out fence ({@code Q3 + 3 IQR}, more than
 * {@value #STRETCH} times it), values past the fence are counted in {@link #overflow()} instead of
 * stretching the axis: one wild prediction would otherwise squeeze every other row into the first
 * bar. The fence is moved out to the mean if need be, so its marker stays on the chart.
 *
 * @param step the bin width
 * @param first index of the first bin's left edge, in steps from zero
 * @param counts number of values in each bin
 * @param overflow number of values right of the last bin, left out of the chart
 */
record HistogramBins(Step step, long first, int[] counts, int overflow) {

  static final int MIN_BINS = 5;
  static final int MAX_BINS = 60;
  static final double FENCE_IQRS = 3;
  static final double STRETCH = 1.5;

  private static final double[] MANTISSAS = {1, 2, 2.5, 5};

  /** Bins for an ascending, non-empty array of finite values whose statistics are {@code stats}. */
  static HistogramBins of(double[] sorted, ErrorStats stats) {
    double min = stats.min();
    double max = stats.max();
    if (max <= min) {
      return single(sorted.length, min);
    }
    double fence = stats.q3() + FENCE_IQRS * stats.iqr();
    // Clip only when it buys real room: a normal tail just past the fence is data worth showing.
    boolean clipped = stats.iqr() > 0 && max > STRETCH * fence;
    double limit = clipped ? Math.max(fence, Math.max(stats.mean(), stats.median())) : max;
    int target = clamp(suggestedBinCount(stats.count(), stats.iqr(), limit - min));

    Step step = Step.nearest((limit - min) / target);
    // Rounding the width may push the count outside the bounds; walk the 1-2-2.5-5 ladder back in.
    while (binsFor(step, min, limit) > MAX_BINS) {
      step = step.larger();
    }
    while (binsFor(step, min, limit) < MIN_BINS) {
      step = step.smaller();
    }
    HistogramBins bins =
        new HistogramBins(step, step.floorIndex(min), new int[binsFor(step, min, limit)], 0);
    double upper = bins.end(bins.size() - 1);
    int overflow = 0;
    for (double v : sorted) {
      // Unclipped, a value past the last edge can only be the maximum sitting on it.
      if (clipped && v > upper) {
        overflow++;
      } else {
        bins.counts[bins.index(v)]++;
      }
    }
    return new HistogramBins(step, bins.first, bins.counts, overflow);
  }

  /** All values equal {@code value}: one bar in the middle of five, so the axis has some width. */
  private static HistogramBins single(int n, double value) {
    Step step = Step.nearest(value == 0 ? 0.2 : Math.abs(value) * 0.02);
    // An absolute error axis has no business going negative, so a zero error gets the first bar.
    long first = value >= 0 ? Math.max(0, step.floorIndex(value) - 2) : step.floorIndex(value) - 2;
    HistogramBins bins = new HistogramBins(step, first, new int[MIN_BINS], 0);
    bins.counts[bins.index(value)] = n;
    return bins;
  }

  /** Freedman–Diaconis bin count, or Sturges' when the IQR is degenerate. */
  static int suggestedBinCount(int n, double iqr, double span) {
    double h = 2 * iqr / Math.cbrt(n);
    if (h > 0 && Double.isFinite(h)) {
      return (int) Math.min(Integer.MAX_VALUE, Math.ceil(span / h));
    }
    return (int) Math.ceil(Math.log(n) / Math.log(2)) + 1;
  }

  private static int clamp(int bins) {
    return Math.max(MIN_BINS, Math.min(MAX_BINS, bins));
  }

  /**
   * Bins of {@code step} from the edge at or below {@code min} to the first edge at or above max.
   */
  private static int binsFor(Step step, double min, double max) {
    long first = step.floorIndex(min);
    long last = first + 1;
    while (step.edge(last) < max && last - first <= MAX_BINS * 4L) {
      last++;
    }
    return (int) (last - first);
  }

  /**
   * The 1-2-2.5-5 step nearest to {@code raw} (a positive number), for bins and axis ticks alike.
   */
  static double niceStep(double raw) {
    return Step.nearest(raw).value();
  }

  /** The bin of {@code v}, clamped to the first and last bin. */
  int index(double v) {
    int i = (int) Math.max(0, Math.min(size() - 1, Math.floor(v / step.value()) - first));
    // The division can be off by one ulp either way; the edges themselves decide.
    if (i + 1 < size() && v >= start(i + 1)) {
      i++;
    } else if (i > 0 && v < start(i)) {
      i--;
    }
    return i;
  }

  /** Bin width. */
  double width() {
    return step.value();
  }

  /** Left edge of the first bin. */
  double lower() {
    return start(0);
  }

  /** The tallest bin's count. */
  int maxCount() {
    int max = 0;
    for (int c : counts) {
      max = Math.max(max, c);
    }
    return max;
  }

  /** Number of bins. */
  int size() {
    return counts.length;
  }

  /** Left edge of bin {@code i}. */
  double start(int i) {
    return step.edge(first + i);
  }

  /** Right edge of bin {@code i}. */
  double end(int i) {
    return step.edge(first + i + 1);
  }

  /** A step on the 1-2-2.5-5 ladder: {@code MANTISSAS[index] * 10^exponent}. */
  record Step(int index, int exponent) {

    static Step nearest(double raw) {
      int exponent = (int) Math.floor(Math.log10(raw));
      double mantissa = raw / Math.pow(10, exponent);
      int best = 0;
      for (int i = 1; i < MANTISSAS.length; i++) {
        if (Math.abs(Math.log(MANTISSAS[i] / mantissa))
            < Math.abs(Math.log(MANTISSAS[best] / mantissa))) {
          best = i;
        }
      }
      // 10 (the next decade's 1) may be nearer than 5 for a mantissa close to 10.
      if (Math.abs(Math.log(10 / mantissa)) < Math.abs(Math.log(MANTISSAS[best] / mantissa))) {
        return new Step(0, exponent + 1);
      }
      return new Step(best, exponent);
    }

    double value() {
      return edge(1);
    }

    /**
     * {@code k} steps from zero. {@code k * mantissa} is exact; dividing that by an exact power of
     * ten rounds once, giving the double nearest the decimal (0.3, not the 0.30000000000000004 of 3
     * * 0.1).
     */
    double edge(long k) {
      double multiple = k * MANTISSAS[index];
      return exponent >= 0 ? multiple * Math.pow(10, exponent) : multiple / Math.pow(10, -exponent);
    }

    long floorIndex(double v) {
      long k = (long) Math.floor(v / value());
      return edge(k) > v ? k - 1 : edge(k + 1) <= v ? k + 1 : k;
    }

    Step larger() {
      return index + 1 < MANTISSAS.length
          ? new Step(index + 1, exponent)
          : new Step(0, exponent + 1);
    }

    Step smaller() {
      return index > 0
          ? new Step(index - 1, exponent)
          : new Step(MANTISSAS.length - 1, exponent - 1);
    }
  }
}
