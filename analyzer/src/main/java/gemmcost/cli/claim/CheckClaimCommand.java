package gemmcost.cli.claim;

import gemmcost.Numbers;
import gemmcost.claim.ClaimCheck;
import gemmcost.claim.ClaimPlans;
import gemmcost.claim.ClaimSweep;
import gemmcost.cli.Gemmcost;
import gemmcost.cli.Options;
import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.deploy.MemoryFootprint;
import gemmcost.device.Device;
import gemmcost.model.Deployment;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import gemmcost.model.PlanMemory;
import gemmcost.model.hf.WeightFormat;
import gemmcost.report.HtmlReport;
import gemmcost.schedule.DagAnalysis;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost check-claim}: does MA-separation cut TPOT by 34.2 %? One screen. */
@Command(name = "check-claim",
        header = "Check the seed report's claim that MA-separation cuts TPOT by 34.2%%.",
        description = {
                "Answer \"does MA-separation (12 attention + 4 MoE GPUs) cut TPOT by 34.2%% against TP8 x PP2?\":",
                "the seed's expressions as written, the two plans as operator DAGs in prefill and decode, the claim,",
                "and what the seed's expressions get wrong, each with a number computed under the same profile."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost check-claim", "  scripts/gemmcost check-claim --profile h200",
                "  scripts/gemmcost check-claim --sweep batch=1,8,64,256,1024 --sweep seq=512,2048,8192 --html /tmp/claim.html",
                "  scripts/gemmcost check-claim --afd-model ../shared/data/model-configs/deepseek-ai--DeepSeek-R1.config.json"
                        + " --afd-gemm-csv ../shared/data/gemm-public/aiconfigurator-trtllm.csv"})
public final class CheckClaimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--profile", paramLabel = "PROFILE",
            description = "A profile file or catalog device id. Default: the built-in modeled H100 SXM roofline.")
    String profile;

    @Option(names = "--baseline", paramLabel = "FILE", description = "Baseline config (default: the seed's TP8 x PP2).")
    Path baseline;

    @Option(names = "--ma", paramLabel = "FILE", description = "MA-separation config (default: the seed's 12 + 4).")
    Path ma;

    @Option(names = "--sweep", paramLabel = "AXIS=LIST",
            description = "Also decode TPOT against batch=N,N,… or seq=N,N,… (KV-cache length); repeatable.")
    List<String> sweeps = List.of();

    @ArgGroup(exclusive = false, heading = "%nWhere AFD wins for a real MoE model:%n")
    AfdOptions afd;

    /** The real-model section: a HuggingFace MoE config on two or more nodes, baseline engines against AFD. */
    static final class AfdOptions {
        @Option(names = "--afd-model", required = true, paramLabel = "CONFIG.json",
                description = "A HuggingFace MoE config.json (e.g. DeepSeek-R1, Qwen3-235B-A22B).")
        Path model;

        @Option(names = "--afd-weights", paramLabel = "FORMAT", description = "The model's linear layers' format"
                + " (bf16, fp8, fp8_block), also over one the config says that gemmcost does not read (mxfp4,"
                + " compressed-tensors). Default: what the config says.")
        WeightFormat weights;

        @Option(names = "--afd-gpu", defaultValue = "h200", paramLabel = "DEVICE",
                description = "A catalog device id, 8 per node. Default: ${DEFAULT-VALUE}.")
        String gpu;

        @Option(names = "--afd-gemm-csv", paramLabel = "FILE",
                description = "Imported GEMM measurements of the device (default: its datasheet roofline).")
        Path gemmCsv;

        @Option(names = "--afd-split", defaultValue = "8:8", paramLabel = "ATTN:FFN",
                description = "AFD's attention and FFN GPUs; the baseline is as many 8-GPU engines (tp 8, ep 8,"
                        + " dp 8). Default: ${DEFAULT-VALUE}.")
        Options.GpuSplit split;

        @Option(names = "--afd-micro-batches", defaultValue = "3", paramLabel = "N",
                description = "AFD's ping-pong micro-batches. Default: ${DEFAULT-VALUE} (one on each side, one in flight).")
        int microBatches;

        @Option(names = "--afd-concurrency", defaultValue = "64,128,256,512,1024,2048,4096", split = ",",
                paramLabel = "N,N,…", description = "Requests in flight. Default: ${DEFAULT-VALUE}.")
        List<Integer> concurrency;
    }

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write a self-contained HTML report: this table, the sweeps, both plans' timelines.")
    Path html;

    @Override
    public Integer call() {
        Options.requireFolder("--html", html);
        AfdSection.Prepared afdSection = afd == null ? null : AfdSection.prepare(afd);
        PrintWriter out = spec.commandLine().getOut();
        List<ClaimSweep.Spec> sweepSpecs = ClaimSweep.parseAll(sweeps);
        ClaimPlans plans = ClaimPlans.of(baseline, ma);
        Deployment base = plans.baseline();
        Deployment split = plans.ma();
        String chosen = profile == null ? CostModels.DEFAULT_PROFILE : profile;
        CostModels.Opened costs = CostModels.openForModel(chosen, base.model().dtype(), base.network(),
                Math.max(base.communicatingGpus(), split.communicatingGpus()));
        CostModel model = costs.model();
        if (profile == null)
            out.println("MODELED: no --profile given, so every time below is the built-in H100 SXM datasheet roofline"
                    + " (speed of light, no measurement).");
        ClaimCheck check = ClaimCheck.run(model, base, plans.withExperts(), split);
        out.println("profile: " + check.source());
        out.printf(Locale.ROOT, "baseline: %s%nMA:       %s%n", base.name(), split.name());
        out.println("TPOT = makespan of one decode step: every sequence advances one token, m = batch for every"
                + " projection, attention reads a KV cache of seq_len; " + routingAndOverlap(base, split) + ".");
        String row = "  %-46s %12s %12s %10s  %s%n";
        out.printf(Locale.ROOT, "%n" + row, "", "baseline_ms", "MA_ms", "reduction", "label");
        for (ClaimCheck.Row r : check.rows())
            out.printf(Locale.ROOT, row, r.what(), Numbers.millis(r.baselineUs()), Numbers.millis(r.maUs()),
                    Numbers.claimPercent(r.reduction()), r.labels());
        out.printf(Locale.ROOT, row, "claimed by the seed report", "", "", Numbers.claimPercent(ClaimCheck.CLAIMED),
                "claimed");
        out.printf(Locale.ROOT, row, "source Table 1: 1 - 1.82/2.76 ms", "2.760", "1.820",
                Numbers.claimPercent(ClaimCheck.SOURCE_TABLE), "claimed");
        out.println(memory(plans.withExperts(), split, costs.catalogDevice()));
        out.printf(Locale.ROOT, "%nwhat the seed's expressions get wrong (same profile; %s):%n", check.flawLabels());
        for (int i = 0; i < check.flaws().size(); i++)
            out.printf(Locale.ROOT, "  %d. %s%n", i + 1, check.flaws().get(i).description());
        if (afd == null)
            out.printf(Locale.ROOT, "%nwhere attention-FFN disaggregation wins for a real MoE model: add --afd-model"
                    + " CONFIG.json (e.g. DeepSeek-R1's; README, \"Where AFD wins\")%n");
        else
            AfdSection.print(out, afdSection);
        List<ClaimSweep> swept = new ArrayList<>();
        for (ClaimSweep.Spec s : sweepSpecs) {
            ClaimSweep sweep = ClaimSweep.run(s, model, base, plans.withExperts(), split);
            swept.add(sweep);
            printSweep(out, sweep, costs.catalogDevice());
        }
        if (html != null) {
            List<HtmlReport.PlanView> views = List.of(
                    view(source(baseline) + ", with experts", plans.withExperts(), model),
                    view(source(ma), split, model));
            HtmlReport.write(html, new HtmlReport.Input("gemmcost: the MA-separation claim", costs, check, swept, views));
            out.println("\nwrote " + html);
        }
        return Gemmcost.OK;
    }

    private static HtmlReport.PlanView view(String source, Deployment deployment, CostModel model) {
        Deployment decode = deployment.withPhase(Phase.DECODE);
        return HtmlReport.PlanView.of(source, decode, DagAnalysis.of(decode, model));
    }

    private static String source(Path config) {
        return config == null ? "the seed's plan (built in)" : config.toString();
    }

    /**
     * {@code memory (fullest GPU's weights and KV cache, modeled): baseline with experts 9.75 GB, MA 13.76 GB, of the
     * 77.31 GB usable on a h100-sxm}, saying which plan does not fit.
     */
    private static String memory(Deployment baseline, Deployment split, Optional<Device> device) {
        PlanMemory b = PlanMemory.of(baseline);
        PlanMemory m = PlanMemory.of(split);
        String held = String.format(Locale.ROOT, "memory (fullest GPU's weights and KV cache, modeled): baseline with"
                + " experts %s, MA %s", Numbers.gigabytes(b.totalBytes()), Numbers.gigabytes(m.totalBytes()));
        if (device.isEmpty())
            return held + PlanMemory.UNCHECKED;
        double usable = MemoryFootprint.usableBytes(device.get());
        String fits = switch (ClaimSweep.Fits.of(b.totalBytes(), m.totalBytes(), usable)) {
            case BOTH -> "";
            case BASELINE -> ": MA does not fit";
            case MA -> ": the baseline does not fit";
            case NEITHER -> ": neither fits";
        };
        return String.format(Locale.ROOT, "%s, of the %s usable on a %s%s", held, Numbers.gigabytes(usable),
                device.get().id(), fits);
    }

    private static void printSweep(PrintWriter out, ClaimSweep sweep, Optional<Device> device) {
        out.printf(Locale.ROOT, "%ndecode TPOT against %s (%s), everything else as configured:%n", sweep.axis().id(),
                sweep.axis().meaning());
        String row = "  %8s %14s %14s %10s %14s %12s  %-8s  %s%n";
        out.printf(Locale.ROOT, row, sweep.axis().id(), "dense_ms", "experts_ms", "MA_ms", "MA_vs_experts",
                "MA_vs_dense", "fits", "label");
        double usable = device.map(MemoryFootprint::usableBytes).orElse(Long.MAX_VALUE);
        for (ClaimSweep.Point p : sweep.points())
            out.printf(Locale.ROOT, row, p.value(), Numbers.millis(p.denseUs()), Numbers.millis(p.expertsUs()),
                    Numbers.millis(p.maUs()), Numbers.percent(p.reduction()),
                    Numbers.percent(p.reductionAgainstDense()), device.isEmpty() ? "-" : p.fits(usable), p.labels());
        if (device.isPresent())
            out.printf(Locale.ROOT, "  fits: which plans (the baseline with experts, MA) have their fullest GPU's"
                    + " weights and KV cache within the %s usable on a %s (modeled)%s%n", Numbers.gigabytes(usable),
                    device.get().id(), sweep.points().stream().allMatch(p -> p.fits(usable) == ClaimSweep.Fits.BOTH)
                            ? "" : "; where one does not, its row is a what-if of a GPU with more memory");
        else
            out.println("  fits: -" + PlanMemory.UNCHECKED);
    }

    /** How the plans route tokens and overlap micro-batches, as the configs say (the seed's: uniform, one). */
    private static String routingAndOverlap(Deployment base, Deployment split) {
        int topK = base.model().topK();
        double imbalance = split.plan() instanceof Plan.MaSeparation p ? p.imbalance() : 1;
        int microBatches = Math.max(base.plan().microBatches(), split.plan().microBatches());
        return (imbalance == 1 ? "uniform top-" + topK + " routing" : String.format(Locale.ROOT,
                "top-%d routing, the busiest expert getting %.2fx its share", topK, imbalance))
                + "; " + (microBatches == 1 ? "no micro-batch overlap" : "up to " + microBatches
                + " micro-batches, list-scheduled");
    }
}
