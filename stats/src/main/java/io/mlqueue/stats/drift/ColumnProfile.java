package io.mlqueue.stats.drift;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A compact picture of one column of the reference data: its moments, range, a histogram and a
 * sample of its values large enough for the drift tests. When the data holds no more than {@link
 * #SAMPLE_CAP} rows the sample is the column itself, so the tests are exactly those of the full
 * reference; above it a seeded reservoir keeps a uniform sample of rows, the same rows for every
 * column of a {@link ReferenceProfile} (so the sample can also fit a model of the error), and the
 * tests compare with that sample (Evidently's size rule then sees a large reference).
 *
 * @param name the column's name (a feature, or {@code prediction})
 * @param count values present
 * @param missing values missing (NaN)
 * @param mean mean of the values present
 * @param std sample standard deviation (n − 1) of the values present
 * @param min smallest value
 * @param max largest value
 * @param histogram counts in {@link #HISTOGRAM_BINS} equal bins over [min, max], the last closed
 * @param sample values for the tests, in the sampled rows' order (NaN for a missing one)
 */
public record ColumnProfile(
    String name,
    long count,
    long missing,
    double mean,
    double std,
    double min,
    double max,
    long[] histogram,
    double[] sample) {
  /** Largest sample kept per column. */
  public static final int SAMPLE_CAP = 5000;

  /** Bins of the histogram. */
  public static final int HISTOGRAM_BINS = 20;

  public ColumnProfile {
    java.util.Objects.requireNonNull(name, "name");
    if (count > 0 && Arrays.stream(sample).allMatch(Double::isNaN)) {
      throw new IllegalArgumentException(
          name + ": a profile of " + count + " values needs a sample");
    }
    histogram = histogram.clone();
    sample = sample.clone();
  }

  /** The profile of {@code values}, with the values at {@code sampleRows} as its sample. */
  public static ColumnProfile of(String name, double[] values, int[] sampleRows) {
    double[] sample = new double[sampleRows.length];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = values[sampleRows[i]];
    }
    double[] present = Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
    long missing = values.length - present.length;
    if (present.length == 0) {
      return new ColumnProfile(
          name,
          0,
          missing,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          new long[HISTOGRAM_BINS],
          sample);
    }
    double mean = Arrays.stream(present).average().orElseThrow();
    double ss = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : present) {
      ss += (v - mean) * (v - mean);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    double std = present.length > 1 ? Math.sqrt(ss / (present.length - 1)) : 0.0;
    long[] histogram = new long[HISTOGRAM_BINS];
    double width = (max - min) / HISTOGRAM_BINS;
    for (double v : present) {
      int i = width == 0 ? 0 : (int) ((v - min) / width);
      histogram[Math.min(i, HISTOGRAM_BINS - 1)]++;
    }
    return new ColumnProfile(name, present.length, missing, mean, std, min, max, histogram, sample);
  }

  /**
   * Algorithm R: {@code cap} row numbers drawn uniformly from {@code rows}, seeded, in increasing
   * order; all of them when there are no more than {@code cap}.
   */
  public static int[] sampleRows(int rows, int cap, long seed) {
    int[] out = new int[Math.min(rows, cap)];
    for (int i = 0; i < out.length; i++) {
      out[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = cap; i < rows; i++) {
      int j = random.nextInt(i + 1);
      if (j < cap) {
        out[j] = i;
      }
    }
    Arrays.sort(out);
    return out;
  }

  /** This column's drift in {@code current} against the sample. */
  public ColumnDrift compare(double[] current) {
    return ColumnDrift.compare(sample, current);
  }

  @Override
  public double[] sample() {
    return sample.clone();
  }

  @Override
  public long[] histogram() {
    return histogram.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ColumnProfile p
        && name.equals(p.name)
        && count == p.count
        && missing == p.missing
        && Double.compare(mean, p.mean) == 0
        && Double.compare(std, p.std) == 0
        && Double.compare(min, p.min) == 0
        && Double.compare(max, p.max) == 0
        && Arrays.equals(histogram, p.histogram)
        && Arrays.equals(sample, p.sample);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(sample);
  }

  @Override
  public String toString() {
    return "ColumnProfile[%s: %d values, %d missing, mean %.4g, std %.4g, sample %d]"
        .formatted(name, count, missing, mean, std, sample.length);
  }

  /** The profiles' names, in order. */
  static List<String> names(List<ColumnProfile> columns) {
    return columns.stream().map(ColumnProfile::name).toList();
  }
}
