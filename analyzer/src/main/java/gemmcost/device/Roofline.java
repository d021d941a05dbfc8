package gemmcost.device;

import gemmcost.table.GemmShape;

/**
 * Speed of light of a GEMM: {@code max(2·m·k·n / peak, (m·k + k·n + m·n)·elementBytes / bandwidth)}.
 * Each operand is read or written once; nothing real is faster.
 */
public record Roofline(double peakFlopsPerSec, double bandwidthBytesPerSec, int elementBytes) {
    public Roofline {
        if (!(peakFlopsPerSec > 0) || !(bandwidthBytesPerSec > 0) || elementBytes <= 0) {
            throw new IllegalArgumentException("must be > 0: peakFlopsPerSec=" + peakFlopsPerSec
                    + ", bandwidthBytesPerSec=" + bandwidthBytesPerSec + ", elementBytes=" + elementBytes);
        }
    }

    /** Bytes moved if every operand crosses memory exactly once. */
    public static double bytes(double m, double k, double n, int elementBytes) {
        return (m * k + k * n + m * n) * elementBytes;
    }

    /** Speed-of-light time in µs. */
    public double timeUs(double m, double k, double n) {
        double computeUs = 2.0 * m * k * n / peakFlopsPerSec * 1e6;
        double memoryUs = bytes(m, k, n, elementBytes) / bandwidthBytesPerSec * 1e6;
        return Math.max(computeUs, memoryUs);
    }

    /** Speed-of-light time in µs. */
    public double timeUs(GemmShape shape) {
        return timeUs(shape.m(), shape.k(), shape.n());
    }

    /** FLOP per byte above which a GEMM is compute-bound. */
    public double ridgeFlopsPerByte() {
        return peakFlopsPerSec / bandwidthBytesPerSec;
    }
}
