package io.mlqueue.stats.drift;

/**
 * One column's drift between a reference and a current sample: the test Evidently would choose for
 * their sizes and distinct values, and PSI beside it.
 *
 * @param test the chosen test's result; its {@code drifted} is the column's verdict
 * @param psi the population stability index over the same bins Evidently uses
 * @param referenceRows values in the reference (missing ones excluded)
 * @param currentRows values in the current sample (missing ones excluded)
 */
public record ColumnDrift(TestResult test, TestResult psi, int referenceRows, int currentRows) {

  /** Whether the chosen test says the column drifted. */
  public boolean drifted() {
    return test.drifted();
  }

  /**
   * Compares {@code current} with {@code reference} with the test Evidently chooses, at its default
   * threshold. NaN values are missing and left out.
   */
  public static ColumnDrift compare(double[] reference, double[] current) {
    return compare(reference, current, null);
  }

  /**
   * As {@link #compare(double[], double[])} with a fixed method when {@code method} is not null.
   */
  public static ColumnDrift compare(double[] reference, double[] current, Method method) {
    double[] ref = DriftTests.present(reference);
    double[] cur = DriftTests.present(current);
    Method chosen =
        method != null ? method : DriftTests.choose(ref.length, DriftTests.distinct(ref, cur, 6));
    return new ColumnDrift(
        DriftTests.run(chosen, ref, cur),
        DriftTests.run(Method.PSI, ref, cur),
        ref.length,
        cur.length);
  }
}
