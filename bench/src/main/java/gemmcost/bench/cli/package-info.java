/** The GPU-side commands ({@code probe}, {@code profile}, {@code shapes}, {@code jmh}): options in, sweeps out. */
package gemmcost.bench.cli;
