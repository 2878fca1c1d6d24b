/**
 * Statistics over numbers, for judging models (errors, paired and sequential comparisons, cost) and
 * for watching them (distribution profiles and drift). Pure maths with no broker and no HTTP, used
 * by {@code metric}, {@code model} and the command line, and tested against fixtures computed
 * independently.
 */
package io.mlqueue.stats;
