/**
 * The algorithms {@code train --algo} offers (least squares, ridge, a regression tree, a random
 * forest, gradient-boosted trees), their options validated once, and the Tribuo trainers behind
 * them.
 */
package io.mlqueue.model.training;
