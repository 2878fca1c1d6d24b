package io.mlqueue.stats.drift;

/**
 * One drift test's outcome.
 *
 * @param method the test
 * @param statistic the test's statistic (D for KS, χ², Z; the distance itself for distances)
 * @param value what the threshold applies to: the p-value, or the distance
 * @param threshold the threshold used
 * @param drifted whether {@code value} is on the drift side of {@code threshold}
 */
public record TestResult(
    Method method, double statistic, double value, double threshold, boolean drifted) {

  static TestResult of(Method method, double statistic, double value, double threshold) {
    return new TestResult(method, statistic, value, threshold, method.drifted(value, threshold));
  }
}
