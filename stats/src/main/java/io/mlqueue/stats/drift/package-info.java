/**
 * Data drift between a reference sample (the training data) and a current window: the test chosen
 * by data size as Evidently chooses it ({@link io.mlqueue.stats.drift.DriftTests#choose}), the
 * tests themselves ({@link io.mlqueue.stats.drift.DriftTests}) and PSI, checked against SciPy.
 */
package io.mlqueue.stats.drift;
