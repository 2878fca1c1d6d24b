/** What prediction errors cost: a cost model read from a small file, applied row by row. */
package io.mlqueue.stats.cost;
