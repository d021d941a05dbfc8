package gemmcost.cli;

import gemmcost.comm.CommCheck;
import gemmcost.comm.Network;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost check-comm}: the α–β communication model against measured nccl-tests collectives. */
@Command(name = "check-comm",
        header = "Compare the communication model with measured nccl-tests collectives.",
        description = {"Time every row of an nccl-tests CSV (gpu, nccl_version, collective, dtype, num_gpus,",
                "message_elements, time_us) of one GPU with the NVLink tier of its default network (NVLink5 for",
                "B200, NVLink4 otherwise) and print, per collective and rank count, the median absolute error and the",
                "row missed most.",
                "Measured times are imported; the model's are modeled."},
        footerHeading = "%nExample:%n",
        footer = "  scripts/gemmcost check-comm --nccl ../shared/data/comm-public/nccl.csv --gpu H100_SXM")
final class CheckCommCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nccl", required = true, paramLabel = "FILE.csv", description = "nccl-tests timings.")
    Path nccl;

    @Option(names = "--gpu", defaultValue = "H100_SXM", paramLabel = "NAME",
            description = "The rows' gpu column to check. Default: ${DEFAULT-VALUE}.")
    String gpu;

    @Override
    public Integer call() {
        List<CommCheck.Group> groups = CommCheck.ofNccl(nccl, gpu);
        Network network = CommCheck.ncclOf(gpu);
        PrintWriter out = spec.commandLine().getOut();
        boolean across = groups.stream().anyMatch(g -> g.ranks() > network.gpusPerNode());
        out.printf(Locale.ROOT, "%s (imported, %d rows) against the %s tier of the default network%s (modeled)%n", gpu,
                groups.stream().mapToInt(CommCheck.Group::rows).sum(), network.intraNode().name(), across
                        ? ", its " + network.interNode().name() + " tier across nodes of " + network.gpusPerNode()
                        : "");
        out.println("collective      ranks  rows  median |err|  worst row: bytes  imported us  modeled us   error");
        for (CommCheck.Group g : groups)
            out.printf(Locale.ROOT, "%-14s %6d %5d %12.1f%% %17d %12.2f %11.2f %+7.1f%%%n", g.collective().id(),
                    g.ranks(), g.rows(), g.medianApePct(), g.worst().bytes(), g.worst().timeUs(), g.worstModeledUs(),
                    g.worstErrorPct());
        return Gemmcost.OK;
    }
}
