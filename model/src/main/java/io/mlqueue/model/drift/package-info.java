/**
 * Watching a served model: the reference profile stored with a registry version ({@link
 * io.mlqueue.model.drift.ProfileFile}), live drift of what the worker sees ({@link
 * io.mlqueue.model.drift.LiveDrift}) and the error estimated before labels arrive ({@link
 * io.mlqueue.model.drift.LossEstimator}). The statistics are the stats module's.
 */
package io.mlqueue.model.drift;
