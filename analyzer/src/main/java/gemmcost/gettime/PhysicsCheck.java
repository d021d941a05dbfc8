package gemmcost.gettime;

import gemmcost.BadInputException;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Roofline;
import gemmcost.table.GemmShape;
import gemmcost.table.ProfileEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A table entry that implies more arithmetic or memory traffic per second than any catalogued GPU can do, by more
 * than {@value #MARGIN}×, or {@value #SLOW_MARGIN}× less than the slowest one after a stall of
 * {@value #MOST_OVERHEAD_SECONDS} s, is not a measurement (a typo, a unit mistake, a corrupt file) and would be
 * returned verbatim as one, or spoil the answers near it: it is refused. Entries faster than their own device's
 * datasheet roofline, within that margin, are counted so the table's source line can say so.
 */
final class PhysicsCheck {
    /** Far beyond any measurement noise or clock boost: only an impossible number is refused. */
    static final double MARGIN = 10;
    private static final double FASTEST_FLOPS_PER_SEC = DeviceCatalog.all().stream()
            .flatMap(d -> d.peakFlopsPerSec().values().stream()).mapToDouble(Double::doubleValue).max().orElseThrow();
    private static final double FASTEST_BYTES_PER_SEC = DeviceCatalog.all().stream()
            .mapToDouble(Device::bandwidthBytesPerSec).max().orElseThrow();

    /** Far below any GPU a table could come from, however old or throttled: only an impossible number is refused. */
    static final double SLOW_MARGIN = 1000;
    /** Time no launch, stall or clock ramp of a working GPU adds to one GEMM. */
    static final double MOST_OVERHEAD_SECONDS = 1;
    private static final double SLOWEST_FLOPS_PER_SEC = DeviceCatalog.all().stream()
            .flatMap(d -> d.peakFlopsPerSec().values().stream()).mapToDouble(Double::doubleValue).min().orElseThrow();
    private static final double SLOWEST_BYTES_PER_SEC = DeviceCatalog.all().stream()
            .mapToDouble(Device::bandwidthBytesPerSec).min().orElseThrow();

    private PhysicsCheck() {
    }

    /**
     * Refuses an entry beyond physics; returns how many are faster than {@code roofline} (0 without one). Traffic
     * is counted at one byte per element (fp8, the smallest), each operand moved once: a lower bound.
     */
    static int check(Path file, List<ProfileEntry> entries, Optional<Roofline> roofline) {
        int beyondRoofline = 0;
        for (ProfileEntry e : entries) {
            requirePossible(file + ": $.entries " + e.shape(), e.shape(), e.timeUs());
            if (roofline.isPresent() && e.timeUs() < roofline.get().timeUs(e.shape()))
                beyondRoofline++;
        }
        return beyondRoofline;
    }

    /** Refuses a time beyond physics for {@code shape}, either way, the message starting with {@code where}. */
    static void requirePossible(String where, GemmShape shape, double timeUs) {
        double m = shape.m();
        double k = shape.k();
        double n = shape.n();
        // traffic at 4 bytes per element (fp32, the widest a table holds) for the most a slow GPU could need
        double mostSeconds = MOST_OVERHEAD_SECONDS + Math.max(2 * m * k * n * SLOW_MARGIN / SLOWEST_FLOPS_PER_SEC,
                4 * (m * k + k * n + m * n) * SLOW_MARGIN / SLOWEST_BYTES_PER_SEC);
        if (timeUs * 1e-6 > mostSeconds)
            throw new BadInputException(String.format(Locale.ROOT, "%s: time_us %s is over %.3g us, the most a GPU"
                    + " %.0fx slower than the slowest catalogued one (%.3g FLOP/s, %.3g bytes/s) would need after a"
                    + " %.0f s stall: not a measurement (a unit mistake?)", where, timeUs, mostSeconds * 1e6,
                    SLOW_MARGIN, SLOWEST_FLOPS_PER_SEC, SLOWEST_BYTES_PER_SEC, MOST_OVERHEAD_SECONDS));
        double leastSeconds = Math.max(2 * m * k * n / (MARGIN * FASTEST_FLOPS_PER_SEC),
                (m * k + k * n + m * n) / (MARGIN * FASTEST_BYTES_PER_SEC));
        if (timeUs * 1e-6 < leastSeconds)
            throw new BadInputException(String.format(Locale.ROOT, "%s: time_us %s is under %.3g us, the least a GPU"
                    + " %.0fx the fastest catalogued one (%.3g FLOP/s, %.3g bytes/s) would need: not a measurement",
                    where, timeUs, leastSeconds * 1e6, MARGIN, FASTEST_FLOPS_PER_SEC, FASTEST_BYTES_PER_SEC));
    }
}
