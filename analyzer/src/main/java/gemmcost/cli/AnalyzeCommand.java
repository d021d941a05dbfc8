package gemmcost.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import gemmcost.Numbers;
import gemmcost.cost.CostModels;
import gemmcost.deploy.MemoryFootprint;
import gemmcost.device.Device;
import gemmcost.gettime.Label;
import gemmcost.model.Deployment;
import gemmcost.model.DeploymentReader;
import gemmcost.model.Phase;
import gemmcost.model.PlanMemory;
import gemmcost.report.DagReport;
import gemmcost.schedule.DagAnalysis;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost analyze}: build a deployment's operator DAG and report its critical path and schedule. */
@Command(name = "analyze",
        header = "The operator DAG of a deployment config, costed and scheduled.",
        description = {
                "Build the operator DAG of a deployment config (model, TP x PP or MA-separation plan, phase, network),",
                "cost it and print the critical path (unlimited resources) and the schedule makespan (ops on one GPU",
                "share it). In decode, the makespan is the TPOT: one step in which every sequence advances by one",
                "token (m = batch for every projection; attention reads a KV cache of seq_len tokens)."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  scripts/gemmcost analyze --config examples/seed-ma-separation.json",
                "  scripts/gemmcost analyze --config examples/seed-baseline-tp8pp2.json --phase prefill --json"})
final class AnalyzeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "A deployment config (JSON).")
    Path config;

    @Mixin
    Options.Profile profile;

    @Mixin
    Options.PhaseOverride phase;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Deployment deployment = DeploymentReader.read(config);
        deployment = phase.apply(deployment);
        CostModels.Opened costs = CostModels.openForModel(profile.fileOrDevice, deployment.model().dtype(),
                deployment.network(), deployment.communicatingGpus());
        DagAnalysis analysis = DagAnalysis.of(deployment, costs.model());
        PlanMemory memory = PlanMemory.of(deployment);
        Optional<Device> device = costs.catalogDevice();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = DagReport.json(analysis).put("config", config.toString()).put("name", deployment.name())
                    .put("phase", deployment.phase().id()).put("tokens_per_step", tokens(deployment));
            ObjectNode held = root.putObject("memory").put("gpu", memory.gpu())
                    .put("weight_bytes", memory.weightBytes()).put("kv_bytes", memory.kvBytes());
            device.ifPresent(d -> held.put("device", d.id()).put("usable_bytes", MemoryFootprint.usableBytes(d))
                    .put("fits", memory.fits(d)));
            held.putArray("labels").add(Label.MODELED.id());
            out.println(root);
            return Gemmcost.OK;
        }
        out.printf(Locale.ROOT, "%s (%s)%n", deployment.name(), config);
        out.printf(Locale.ROOT, "phase %s: m = %d tokens per step%s; %d GPUs, %d nodes and %d edges in the DAG%n",
                deployment.phase().id(), tokens(deployment),
                deployment.phase() == Phase.DECODE ? " (one per sequence), KV cache " + deployment.workload().seqLen() : "",
                deployment.gpus(), analysis.dag().size(), analysis.dag().edgeCount());
        if (deployment.phase() == Phase.DECODE)
            out.printf(Locale.ROOT, "TPOT = makespan of one decode step = %s us [%s]%n",
                    Numbers.micros(analysis.schedule().makespanUs()), Label.join(analysis.labels()));
        out.println(memoryLine(memory, device));
        DagReport.text(analysis, out);
        return Gemmcost.OK;
    }

    /** {@code memory: the fullest GPU, 0, holds 13.76 GB (0.87 GB of weights + 12.88 GB of KV cache) of the …}. */
    private static String memoryLine(PlanMemory memory, Optional<Device> device) {
        String held = String.format(Locale.ROOT, "memory: the fullest GPU, %d, holds %s (%s of weights + %s of KV"
                + " cache)", memory.gpu(), Numbers.gigabytes(memory.totalBytes()),
                Numbers.gigabytes(memory.weightBytes()), Numbers.gigabytes(memory.kvBytes()));
        String of = device.map(d -> " of the " + Numbers.gigabytes(MemoryFootprint.usableBytes(d)) + " usable on a "
                + d.id() + (memory.fits(d) ? "" : ": it does not fit"))
                .orElse(PlanMemory.UNCHECKED);
        return held + of + " [modeled]";
    }

    private static long tokens(Deployment d) {
        return d.phase().tokens(d.workload().batch(), d.workload().seqLen());
    }
}
