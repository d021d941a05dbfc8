package gemmcost.bench;

/**
 * Untimed launches before a shape's samples: at least {@code minLaunches} (module loading, cuBLAS's heuristics)
 * and at least {@code minWallMs} of wall time, so a small shape after an idle gap does not run at boost clocks
 * the sweep's other shapes never see (Triton's do_bench warms by time, too).
 */
public record Warmup(int minLaunches, double minWallMs) {
    public Warmup {
        if (minLaunches < 1 || !(minWallMs > 0)) {
            throw new IllegalArgumentException("must be >= 1 launch and > 0 ms: minLaunches=" + minLaunches
                    + ", minWallMs=" + minWallMs);
        }
    }

    public String describe() {
        return String.format(java.util.Locale.ROOT, ">= %d launches and >= %.0f ms per shape", minLaunches, minWallMs);
    }
}
