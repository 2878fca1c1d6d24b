/**
 * The model itself, free of any messaging: a linear model and its fast prediction path, ordinary
 * least squares training, the JSON artifact format, the built-in diabetes model and the start-up
 * check that a model fits the data it will be fed.
 */
package io.mlqueue.model;
