package gemmcost.cli;

import gemmcost.claim.ClaimCheck;
import gemmcost.claim.SeedDeployments;
import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.model.Deployment;
import gemmcost.model.DeploymentReader;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import gemmcost.report.Numbers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost check-claim}: does MA-separation cut TPOT by 34.2 %? One screen. */
@Command(name = "check-claim",
        description = {
                "Answer \"does MA-separation (12 attention + 4 MoE GPUs) cut TPOT by 34.2% against TP8 x PP2?\":",
                "the seed's expressions as written, the two plans as operator DAGs in prefill and decode, the claim,",
                "and what the seed's expressions get wrong, each with a number computed under the same profile."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost check-claim", "  scripts/gemmcost check-claim --profile profiles/h100-sxm/bf16.json"})
final class CheckClaimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--profile", paramLabel = "PROFILE",
            description = "A profile file or catalog device id. Default: the built-in modeled H100 SXM roofline.")
    String profile;

    @Option(names = "--baseline", paramLabel = "FILE", description = "Baseline config (default: the seed's TP8 x PP2).")
    Path baseline;

    @Option(names = "--ma", paramLabel = "FILE", description = "MA-separation config (default: the seed's 12 + 4).")
    Path ma;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Deployment base = baseline == null ? SeedDeployments.baseline(Plan.Mlp.DENSE, Phase.DECODE)
                : DeploymentReader.read(baseline);
        Deployment split = ma == null ? SeedDeployments.maSeparation(Phase.DECODE) : DeploymentReader.read(ma);
        Deployment moeBase = base.plan() instanceof Plan.TpPp tp
                ? new Deployment(base.name() + " (experts)", base.gpus(), base.model(),
                        new Plan.TpPp(tp.tp(), tp.pp(), tp.microBatches(), Plan.Mlp.MOE), base.phase(), base.network())
                : base;
        String chosen = profile == null ? CostModels.DEFAULT_PROFILE : profile;
        CostModel model = CostModels.open(chosen, base.model().dtype(), base.network());
        if (profile == null)
            out.println("MODELED: no --profile given, so every time below is the built-in H100 SXM datasheet roofline"
                    + " (speed of light, no measurement).");
        ClaimCheck check = ClaimCheck.run(model, base, moeBase, split);
        out.println("profile: " + check.source());
        out.printf(Locale.ROOT, "baseline: %s%nMA:       %s%n", base.name(), split.name());
        out.println("TPOT = makespan of one decode step: every sequence advances one token, m = batch for every"
                + " projection, attention reads a KV cache of seq_len; uniform top-2 routing; no micro-batch overlap.");
        String row = "  %-46s %12s %12s %10s  %s%n";
        out.printf(Locale.ROOT, "%n" + row, "", "baseline_ms", "MA_ms", "reduction", "label");
        for (ClaimCheck.Row r : check.rows())
            out.printf(Locale.ROOT, row, r.what(), ms(r.baselineUs()), ms(r.maUs()), Numbers.percent(r.reduction()),
                    r.labels());
        out.printf(Locale.ROOT, row, "claimed by the seed report", "", "", Numbers.percent(ClaimCheck.CLAIMED),
                "claimed");
        out.printf(Locale.ROOT, row, "source Table 1: 1 - 1.82/2.76 ms", "2.760", "1.820",
                Numbers.percent(ClaimCheck.SOURCE_TABLE), "claimed");
        out.printf(Locale.ROOT, "%nwhat the seed's expressions get wrong (same profile; %s):%n", check.flawLabels());
        for (int i = 0; i < check.flaws().size(); i++)
            out.printf(Locale.ROOT, "  %d. %s%n", i + 1, check.flaws().get(i));
        return Gemmcost.OK;
    }

    private static String ms(double us) {
        return String.format(Locale.ROOT, "%.3f", us / 1000);
    }
}
