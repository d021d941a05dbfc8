package gemmcost.comm;

import gemmcost.BadInputException;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.gettime.ErrorStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

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

    /**
     * NCCL's network on nodes of the catalog device {@code gpu} names (NVLink5 for B200, NVLink4 for H100 and H200
     * within a node, the NICs across, as {@link Network#forDevice} chooses; without the engines' one-shot kernel, which
     * nccl-tests does not run), which the rows of {@code gpu} are checked against; a name of no such device is refused,
     * not checked against another GPU's links.
     */
    public static Network ncclOf(String gpu) {
        Network served = DeviceCatalog.matchName(gpu).map(Device::id).filter(Network::modelsLinksOf)
                .map(Network::forDevice)
                .orElseThrow(() -> new BadInputException(Network.linksNotModeled("--gpu", gpu)));
        return new Network(served.gpusPerNode(), served.intraNode(), served.interNode());
    }

    /**
     * The groups of {@code file}'s rows of {@code gpu} against {@link #ncclOf} that GPU, a row of n ranks on GPUs
     * 0 … n − 1 (across nodes beyond a node's GPUs); a file without such rows is refused in one line.
     */
    public static List<Group> ofNccl(Path file, String gpu) {
        List<NcclCsv.Row> all = NcclCsv.read(file);
        List<NcclCsv.Row> rows = all.stream().filter(r -> r.gpu().equals(gpu)).toList();
        if (rows.isEmpty())
            throw new BadInputException(file + ": no rows of gpu '" + gpu + "' (it has " + all.stream()
                    .map(NcclCsv.Row::gpu).distinct().sorted().map(name -> "'" + name + "'")
                    .collect(Collectors.joining(", ")) + ")");
        return of(ncclOf(gpu), rows);
    }

    /** The groups of {@code rows}, ordered by collective then ranks. */
    public static List<Group> of(Network network, List<NcclCsv.Row> rows) {
        Map<Long, List<NcclCsv.Row>> groups = new TreeMap<>(); // keyed by collective, then ranks
        for (NcclCsv.Row r : rows)
            groups.computeIfAbsent((long) r.collective().ordinal() << 32 | r.ranks(), k -> new ArrayList<>()).add(r);
        List<Group> result = new ArrayList<>();
        for (List<NcclCsv.Row> group : groups.values()) {
            double[] ape = new double[group.size()];
            double[] modeledUs = new double[group.size()];
            int worst = 0;
            for (int i = 0; i < ape.length; i++) {
                NcclCsv.Row r = group.get(i);
                modeledUs[i] = network.timeUs(r.collective(), r.bytes(), IntStream.range(0, r.ranks()).toArray());
                ape[i] = ErrorStats.apePct(modeledUs[i], r.timeUs());
                if (ape[i] > ape[worst])
                    worst = i;
            }
            NcclCsv.Row first = group.getFirst();
            result.add(new Group(first.collective(), first.ranks(), group.size(), ErrorStats.of(ape).medianApePct(),
                    group.get(worst), modeledUs[worst]));
        }
        return result;
    }
}
