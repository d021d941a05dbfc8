package gemmcost.table;

import gemmcost.BadInputException;
import gemmcost.ToolVersion;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds a profile from someone else's measurements in the neutral CSV: select one gpu and dtype (and
 * optionally one source), then aggregate the rows of each shape into one entry.
 */
public final class CsvImport {
    private CsvImport() {
    }

    /** The imported profile and the CSV rows that went into it. */
    public record Result(Profile profile, List<Measurement> rows) {
        public Result {
            rows = List.copyOf(rows);
        }
    }

    /**
     * Reads {@code csv} and imports the rows whose gpu and dtype equal the given values (and whose source equals
     * {@code source} unless it is null). The device is known by the CSV's gpu label and, optionally, a catalog id.
     *
     * @throws BadInputException if the file is bad or no row matches (the message lists what the file has)
     */
    public static Result fromCsv(Path csv, String gpu, String dtype, String source, String catalogId,
                                 ToolVersion tool, Instant createdUtc) {
        return fromRows(csv, MeasurementCsv.read(csv), gpu, dtype, source, catalogId, tool, createdUtc);
    }

    /** Like {@link #fromCsv}, over the rows {@code all} already read from {@code csv}. */
    public static Result fromRows(Path csv, List<Measurement> all, String gpu, String dtype, String source,
                                  String catalogId, ToolVersion tool, Instant createdUtc) {
        List<Measurement> rows = new ArrayList<>();
        for (Measurement m : all)
            if (m.gpu().equals(gpu) && m.dtype().equals(dtype) && (source == null || m.source().equals(source)))
                rows.add(m);
        if (rows.isEmpty())
            throw new BadInputException(csv + ": no rows with " + (source == null ? "" : "source=" + source + ", ")
                    + "gpu=" + gpu + ", dtype=" + dtype + "; the file has " + groups(all, source != null));
        Profile.Provenance provenance = new Profile.Provenance(Profile.Kind.IMPORTED, "imported from " + csv,
                tool.version(), tool.gitCommit(), createdUtc);
        Profile profile = new Profile(Profile.Device.named(gpu, catalogId), Profile.Host.UNKNOWN,
                Profile.Timing.UNKNOWN, dtype, null, provenance, aggregateByShape(rows));
        return new Result(profile, rows);
    }

    /**
     * One entry per distinct shape, sorted: time = median of the rows' times, samples = number of rows, and
     * p10/p90 (linear interpolation between order statistics) when there are at least two rows. The rows are
     * taken as repeated measurements of the same thing; the caller selects which rows belong together.
     */
    public static List<ProfileEntry> aggregateByShape(List<Measurement> rows) {
        Map<GemmShape, List<Measurement>> byShape = new TreeMap<>();
        for (Measurement m : rows)
            byShape.computeIfAbsent(m.shape(), s -> new ArrayList<>()).add(m);
        List<ProfileEntry> entries = new ArrayList<>(byShape.size());
        byShape.forEach((shape, group) -> {
            double[] times = group.stream().mapToDouble(Measurement::timeUs).sorted().toArray();
            double median = Quantiles.of(times, 0.5);
            if (times.length == 1) {
                entries.add(new ProfileEntry(shape, median, 1));
            } else {
                // min/max guard the p10 <= median <= p90 invariant against rounding in the interpolation
                double p10 = Math.min(Quantiles.of(times, 0.1), median);
                double p90 = Math.max(Quantiles.of(times, 0.9), median);
                entries.add(new ProfileEntry(shape, median, p10, p90, times.length, List.of()));
            }
        });
        return entries;
    }


    private static String groups(List<Measurement> rows, boolean withSource) {
        TreeSet<String> groups = new TreeSet<>();
        for (Measurement m : rows)
            groups.add((withSource ? m.source() + "/" : "") + m.gpu() + "/" + m.dtype());
        if (groups.isEmpty())
            return "no rows at all";
        return (withSource ? "source/gpu/dtype: " : "gpu/dtype: ") + String.join(", ", groups);
    }
}
