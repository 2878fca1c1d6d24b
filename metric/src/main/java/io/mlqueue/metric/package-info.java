/**
 * The transport-free core of the {@code metric} service: pairing the {@code y_true} and {@code
 * y_pred} halves of a message id ({@link io.mlqueue.metric.PairingBuffer}), appending rows to
 * {@code metric_log.csv} exactly once per id ({@link io.mlqueue.metric.MetricLogWriter}) and
 * keeping the running error metrics ({@link io.mlqueue.metric.RunningMetrics}).
 *
 * <p>The intended order of work in the service, for each delivery: skip (and ack) an id the writer
 * already holds; offer the half to the buffer; append a completed pair; flush; only then ack the
 * two deliveries. A crash before the flush leaves the messages unacked, so the broker redelivers
 * them.
 */
package io.mlqueue.metric;
