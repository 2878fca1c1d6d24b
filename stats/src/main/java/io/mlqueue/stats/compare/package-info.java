/**
 * Comparing two models' losses: paired (a shadow) with the paired t and Wilcoxon signed-rank tests,
 * a BCa bootstrap interval and an always-valid confidence sequence; unpaired (a canary) with
 * Welch's t, Mann–Whitney and a two-sample bootstrap.
 */
package io.mlqueue.stats.compare;
