/**
 * Error metrics of predictions against true values (MAE, RMSE, R², quantiles of the absolute
 * error), computed once here for every command that reports them.
 */
package io.mlqueue.stats.errors;
