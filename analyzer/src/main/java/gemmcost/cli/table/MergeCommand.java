package gemmcost.cli.table;

import gemmcost.BadInputException;
import gemmcost.ToolVersion;
import gemmcost.cli.Gemmcost;
import gemmcost.cli.Options;
import gemmcost.table.Profile;
import gemmcost.table.ProfileJson;
import gemmcost.table.TableMerge;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gemmcost merge}: one table from the tables of several GPUs of one model. */
@Command(name = "merge",
        header = "Merge tables measured on several GPUs of one model.",
        description = {"Merge tables measured on several GPUs of the same model (e.g. one per GPU from",
                "profile --devices all, or from several nodes) into one. Refuses tables that differ in dtype, compute",
                "type, GPU model or catalog device, compute capability, cuBLAS or CUDA runtime version, or timing",
                "method, and a table that is itself merged (merge the per-GPU tables instead). A shape measured on",
                "several GPUs gets the median of their medians and the widest p10/p90."},
        footerHeading = "%nExample:%n",
        footer = "  scripts/gemmcost merge --out /tmp/h100-bf16.json profiles/per-gpu/gpu0/nvidia-h100-80gb-hbm3/bf16.json"
                + " profiles/per-gpu/gpu1/nvidia-h100-80gb-hbm3/bf16.json")
public final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TABLE", arity = "2..*", description = "The tables to merge (at least two).")
    List<Path> tables;

    @Option(names = "--out", required = true, paramLabel = "TABLE.json", description = "The merged table to write.")
    Path out;

    @Override
    public Integer call() {
        Options.requireOutput("--out", out, "TABLE", tables);
        List<TableMerge.Input> inputs = tables.stream().map(t -> new TableMerge.Input(t, ProfileJson.read(t))).toList();
        for (int i = 1; i < inputs.size(); i++)
            for (int j = 0; j < i; j++)
                if (inputs.get(i).profile().entries().equals(inputs.get(j).profile().entries()))
                    throw new BadInputException("merge: " + tables.get(i) + " has the same entries as "
                            + tables.get(j) + " (the same measurements, given twice or copied, would be counted"
                            + " twice)");
        ToolVersion tool = ToolVersion.current();
        Profile merged = TableMerge.merge(inputs, tool.version(), tool.gitCommit(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        ProfileJson.write(out, merged);
        spec.commandLine().getOut().println("wrote " + out + ": " + merged.entries().size() + " shapes from "
                + inputs.size() + " tables (" + merged.device().name() + ", " + merged.dtype() + ")");
        return Gemmcost.OK;
    }
}
