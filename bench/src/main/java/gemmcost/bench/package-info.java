/**
 * The sweep engine: shape sets, per-shape sampling and its stopping rule, the correctness check, clock flags, the
 * resumable journal, per-GPU locks and processes, and the profiler that writes a table per dtype.
 */
package gemmcost.bench;
