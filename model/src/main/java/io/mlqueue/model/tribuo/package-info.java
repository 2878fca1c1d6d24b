/**
 * Models trained here that are not linear (a regression tree, a random forest, gradient-boosted
 * trees), kept and served in Tribuo's own format: Tribuo 4.3 cannot export trees to ONNX.
 */
package io.mlqueue.model.tribuo;
