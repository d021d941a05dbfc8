package gemmcost.comm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** How far a link tier's α–β times are from measured collectives, per collective and rank count. */
public final class CommCheck {
    /**
     * One group's errors: {@code medianApePct} of the absolute percentage errors, and the row the model misses most
     * (its measured and modeled times, signed error).
     */
    public record Group(Collective collective, int ranks, int rows, double medianApePct, NcclCsv.Row worst,
                        double worstModeledUs) {
        public double worstErrorPct() {
            return (worstModeledUs - worst.timeUs()) / worst.timeUs() * 100;
        }
    }

    private CommCheck() {
    }

    /** The groups of {@code rows}, ordered by collective then ranks. */
    public static List<Group> of(LinkTier tier, List<NcclCsv.Row> rows) {
        Map<Long, List<NcclCsv.Row>> groups = new TreeMap<>(); // keyed by collective, then ranks
        for (NcclCsv.Row r : rows)
            groups.computeIfAbsent((long) r.collective().ordinal() << 32 | r.ranks(), k -> new ArrayList<>()).add(r);
        List<Group> result = new ArrayList<>();
        for (List<NcclCsv.Row> group : groups.values()) {
            double[] ape = group.stream().mapToDouble(r -> ape(tier, r)).sorted().toArray();
            NcclCsv.Row worst = group.stream().max(Comparator.comparingDouble(r -> ape(tier, r))).orElseThrow();
            NcclCsv.Row first = group.getFirst();
            result.add(new Group(first.collective(), first.ranks(), group.size(), median(ape), worst,
                    modeledUs(tier, worst)));
        }
        return result;
    }

    static double modeledUs(LinkTier tier, NcclCsv.Row r) {
        return tier.timeUs(r.collective(), r.bytes(), r.ranks());
    }

    private static double ape(LinkTier tier, NcclCsv.Row r) {
        return Math.abs(modeledUs(tier, r) - r.timeUs()) / r.timeUs() * 100;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
