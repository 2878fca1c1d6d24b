/**
 * Bootstrap confidence intervals, percentile and BCa (Efron 1987), seeded so a report can be
 * reproduced, with the conventions of {@code scipy.stats.bootstrap}.
 */
package io.mlqueue.stats.bootstrap;
