/**
 * A model registry on the file system: numbered, immutable versions of each model name, each with
 * the record of the training run that made it, and aliases (such as {@code production}) that point
 * at versions and can be moved; plus the follower that hot-swaps a serving model when its alias
 * moves. Layout and file formats: {@code docs/MODEL_FORMAT.md}.
 */
package io.mlqueue.model.registry;
