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
 * than {@value #MARGIN}×, is not a measurement (a typo, a unit mistake, a corrupt file) and would be returned
 * verbatim as one: it is refused. Entries faster than their own device's datasheet roofline, within that margin,
 * are counted so the table's source line can say so.
 */
final class PhysicsCheck {
    /** Far beyond any measurement noise or clock boost: only an impossible number is refused. */
    static final double MARGIN = 10;
    private static final double FASTEST_FLOPS_PER_SEC = DeviceCatalog.all().stream()
            .flatMap(d -> d.peakFlopsPerSec().values().stream()).mapToDouble(Double::doubleValue).max().orElseThrow();
    private static final double FASTEST_BYTES_PER_SEC = DeviceCatalog.all().stream()
            .mapToDouble(Device::bandwidthBytesPerSec).max().orElseThrow();

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

    /** Refuses a time beyond physics for {@code shape}, the message starting with {@code where}. */
    static void requirePossible(String where, GemmShape shape, double timeUs) {
        double m = shape.m();
        double k = shape.k();
        double n = shape.n();
        double leastSeconds = Math.max(2 * m * k * n / (MARGIN * FASTEST_FLOPS_PER_SEC),
                (m * k + k * n + m * n) / (MARGIN * FASTEST_BYTES_PER_SEC));
        if (timeUs * 1e-6 < leastSeconds)
            throw new BadInputException(String.format(Locale.ROOT, "%s: time_us %s is under %.3g us, the least a GPU"
                    + " %.0fx the fastest catalogued one (%.3g FLOP/s, %.3g bytes/s) would need: not a measurement",
                    where, timeUs, leastSeconds * 1e6, MARGIN, FASTEST_FLOPS_PER_SEC, FASTEST_BYTES_PER_SEC));
    }
}
