package gemmcost.table;

import gemmcost.BadInputException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Combines measured tables of several GPUs of one model (one per GPU from {@code profile --devices all}, or from
 * several nodes) into one. Refuses, naming the field and both files, when the tables differ in anything that
 * changes the times: dtype, compute type, GPU model or catalog device, compute capability, cuBLAS or CUDA runtime
 * version, or the timing method; and a table that is itself merged. A shape measured on several GPUs gets the median
 * of their medians, the lowest p10 and highest p90 (so the spread includes GPU-to-GPU variation) and the summed sample
 * count.
 */
public final class TableMerge {
    private TableMerge() {
    }

    /** One input table and the file it came from. */
    public record Input(Path file, Profile profile) {
    }

    /** Merges at least two tables; {@code source} and {@code toolVersion}/{@code gitCommit} describe the merge. */
    public static Profile merge(List<Input> inputs, String toolVersion, String gitCommit, Instant now) {
        if (inputs.size() < 2) {
            throw new BadInputException("merge: need at least two tables, got " + inputs.size());
        }
        inputs.forEach(TableMerge::requireUnmerged);
        Input first = inputs.getFirst();
        for (Input other : inputs.subList(1, inputs.size())) {
            requireCompatible(first, other);
        }
        Map<GemmShape, List<ProfileEntry>> byShape = new TreeMap<>();
        for (Input in : inputs) {
            for (ProfileEntry e : in.profile().entries()) {
                byShape.computeIfAbsent(e.shape(), s -> new ArrayList<>()).add(e);
            }
        }
        List<ProfileEntry> entries = byShape.values().stream().map(TableMerge::combine).toList();
        Profile p = first.profile();
        Profile.Device d = p.device();
        Profile.Device device = new Profile.Device(d.name(), d.catalogId(), d.computeCapability(), d.smCount(),
                d.memoryBytes(), d.l2Bytes(), clocks(inputs), joined(inputs, in -> in.profile().device().driverVersion()),
                d.cudaRuntimeVersion(), d.cublasVersion(), medianBandwidth(inputs));
        Profile.Host host = new Profile.Host(joined(inputs, in -> in.profile().host().hostname()), p.host().os(),
                p.host().cpu());
        String sources = inputs.stream().map(in -> in.file().toString()).collect(Collectors.joining(", "));
        Profile.Provenance provenance = new Profile.Provenance(commonKind(inputs),
                "merged by gemmcost merge from " + inputs.size() + " tables: " + sources, toolVersion, gitCommit, now);
        return new Profile(device, host, p.timing(), p.dtype(), p.computeType(), provenance, entries);
    }

    /**
     * A merged table holds each shape's median over its GPUs, not their measurements: merged again, its GPUs would
     * count as one in the new median and the flag would name only the tables.
     */
    private static void requireUnmerged(Input in) {
        if (in.profile().entries().stream().anyMatch(e -> e.flags().stream()
                .anyMatch(f -> f instanceof EntryFlag.MergedGpus)))
            throw new BadInputException("merge: " + in.file() + " is itself a merged table (its entries carry"
                    + " merged_gpus): merge the per-GPU tables it was made from, so that each GPU counts once");
    }

    private static void requireCompatible(Input a, Input b) {
        Profile p = a.profile();
        Profile q = b.profile();
        same(a, b, "dtype", p.dtype(), q.dtype());
        same(a, b, "compute_type", p.computeType(), q.computeType());
        same(a, b, "device.name", p.device().name(), q.device().name());
        same(a, b, "device.catalog_id", p.device().catalogId(), q.device().catalogId());
        same(a, b, "device.compute_capability", p.device().computeCapability(), q.device().computeCapability());
        same(a, b, "device.cublas_version", p.device().cublasVersion(), q.device().cublasVersion());
        same(a, b, "device.cuda_runtime_version", p.device().cudaRuntimeVersion(), q.device().cudaRuntimeVersion());
        same(a, b, "timing", p.timing(), q.timing());
    }

    private static void same(Input a, Input b, String field, Object x, Object y) {
        if (!Objects.equals(x, y)) {
            throw new BadInputException("merge: " + b.file() + ": " + field + " is " + y + " but " + a.file() + " has "
                    + x + "; tables measured differently cannot be merged");
        }
    }

    private static ProfileEntry combine(List<ProfileEntry> measured) {
        if (measured.size() == 1) {
            return measured.getFirst();
        }
        double[] medians = measured.stream().mapToDouble(ProfileEntry::timeUs).sorted().toArray();
        double median = Quantiles.of(medians, 0.5);
        // the widest spread of the entries that have one; unknown where none has
        List<ProfileEntry> spread = measured.stream().filter(ProfileEntry::hasSpread).toList();
        double p10 = spread.isEmpty() ? Double.NaN
                : Math.min(median, spread.stream().mapToDouble(ProfileEntry::p10Us).min().orElseThrow());
        double p90 = spread.isEmpty() ? Double.NaN
                : Math.max(median, spread.stream().mapToDouble(ProfileEntry::p90Us).max().orElseThrow());
        Set<EntryFlag> flags = new TreeSet<>(Comparator.comparing(EntryFlag::text));
        measured.forEach(e -> flags.addAll(e.flags()));
        flags.add(new EntryFlag.MergedGpus(measured.size()));
        return new ProfileEntry(measured.getFirst().shape(), median, p10, p90,
                measured.stream().mapToLong(ProfileEntry::samples).sum(), List.copyOf(flags));
    }

    /** The lowest start and end clocks any GPU saw (the conservative reading) and every throttle reason seen. */
    private static Profile.Clocks clocks(List<Input> inputs) {
        List<Profile.Clocks> all = inputs.stream().map(in -> in.profile().device().clocks()).toList();
        Set<String> reasons = new TreeSet<>();
        all.forEach(c -> reasons.addAll(c.throttleReasons()));
        return new Profile.Clocks(min(all, Profile.Clocks::smMhzStart), min(all, Profile.Clocks::smMhzEnd),
                min(all, Profile.Clocks::memMhzStart), min(all, Profile.Clocks::memMhzEnd), List.copyOf(reasons));
    }

    private static Integer min(List<Profile.Clocks> all, Function<Profile.Clocks, Integer> field) {
        return all.stream().map(field).filter(Objects::nonNull).min(Integer::compare).orElse(null);
    }

    private static String joined(List<Input> inputs, Function<Input, String> field) {
        Set<String> values = inputs.stream().map(field).filter(Objects::nonNull)
                .collect(Collectors.toCollection(TreeSet::new));
        return values.isEmpty() ? null : String.join(", ", values);
    }

    /** The median of the inputs' measured bandwidths (the GPUs are of one model), or null when none has one. */
    private static Double medianBandwidth(List<Input> inputs) {
        double[] measured = inputs.stream().map(in -> in.profile().device().memoryBandwidthBytesPerSec())
                .filter(Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        return measured.length == 0 ? null : Quantiles.of(measured, 0.5);
    }

    private static Profile.Kind commonKind(List<Input> inputs) {
        Set<Profile.Kind> kinds = inputs.stream().map(in -> in.profile().provenance().kind()).collect(Collectors.toSet());
        if (kinds.size() > 1) {
            throw new BadInputException("merge: cannot merge tables of different provenance: " + inputs.stream()
                    .map(in -> in.file() + " is " + in.profile().provenance().kind().jsonName())
                    .collect(Collectors.joining(", ")));
        }
        return kinds.iterator().next();
    }
}
