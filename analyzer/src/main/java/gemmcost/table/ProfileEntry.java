package gemmcost.table;

import java.util.List;
import java.util.Objects;

/**
 * The measured time of one shape. Times are in microseconds; {@code timeUs} is the median of {@code samples}
 * timings. The spread {@code p10Us}/{@code p90Us} is either both known or both {@link Double#NaN} (unknown, e.g.
 * a single imported row), and when known p10 ≤ median ≤ p90. {@code flags} say what the sweep noticed (noise,
 * clocks, m-chunking…), kept in the given order.
 */
public record ProfileEntry(GemmShape shape, double timeUs, double p10Us, double p90Us, long samples,
                           List<EntryFlag> flags) {
    public ProfileEntry {
        Objects.requireNonNull(shape, "shape");
        if (!(Double.isFinite(timeUs) && timeUs > 0))
            throw new IllegalArgumentException("must be finite and > 0: timeUs=" + timeUs);
        if (Double.isNaN(p10Us) != Double.isNaN(p90Us))
            throw new IllegalArgumentException("p10 and p90 must both be known or both unknown: p10Us=" + p10Us
                    + ", p90Us=" + p90Us);
        if (!Double.isNaN(p10Us) && !(p10Us > 0 && p10Us <= timeUs && timeUs <= p90Us && Double.isFinite(p90Us)))
            throw new IllegalArgumentException("must be 0 < p10 <= median <= p90: p10Us=" + p10Us + ", timeUs="
                    + timeUs + ", p90Us=" + p90Us);
        if (samples < 1)
            throw new IllegalArgumentException("must be >= 1: samples=" + samples);
        flags = List.copyOf(flags);
        List<String> merged = flags.stream().filter(f -> f instanceof EntryFlag.MergedGpus).map(EntryFlag::text)
                .toList();
        if (merged.size() > 1)
            throw new IllegalArgumentException("merged_gpus: given more than once: " + merged);
    }

    /** An entry without spread or flags. */
    public ProfileEntry(GemmShape shape, double timeUs, long samples) {
        this(shape, timeUs, Double.NaN, Double.NaN, samples, List.of());
    }

    /** The flags as the table writes them. */
    public List<String> flagTexts() {
        return flags.stream().map(EntryFlag::text).toList();
    }

    /** Whether p10/p90 are known. */
    public boolean hasSpread() {
        return !Double.isNaN(p10Us);
    }
}
