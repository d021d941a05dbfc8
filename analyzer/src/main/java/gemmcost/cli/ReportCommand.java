package gemmcost.cli;

import gemmcost.BadInputException;
import gemmcost.claim.ClaimCheck;
import gemmcost.claim.ClaimPlans;
import gemmcost.claim.ClaimSweep;
import gemmcost.comm.Network;
import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.model.Deployment;
import gemmcost.model.DeploymentReader;
import gemmcost.report.HtmlReport;
import gemmcost.schedule.DagAnalysis;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost report}: one self-contained HTML page for deployments, the claim and the profile. */
@Command(name = "report",
        header = "Write a self-contained HTML report of deployment plans.",
        description = {
                "Write one self-contained HTML file (inline SVG, no script, nothing fetched): the profile's provenance,",
                "the claim check (the seed's plans under the same profile), each config's per-GPU timeline with its",
                "critical path, busy time by op kind per GPU, and the profile's TFLOP/s against m per (k, n)."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  scripts/gemmcost report --config examples/seed-baseline-tp8pp2.json --config examples/seed-ma-separation.json --out /tmp/report.html",
                "  scripts/gemmcost report --config examples/seed-ma-separation.json --profile h200 --sweep batch=1,64,1024 --out /tmp/r.html"})
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "A deployment config; repeatable.")
    List<Path> configs;

    @Mixin
    Options.Profile profile;

    @Mixin
    Options.PhaseOverride phase;

    @Option(names = "--sweep", paramLabel = "AXIS=LIST",
            description = "Also plot the claim's decode TPOT against batch=N,N,… or seq=N,N,…; repeatable.")
    List<String> sweeps = List.of();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The HTML file to write.")
    Path out;

    @Override
    public Integer call() {
        List<Path> inputs = new ArrayList<>(configs);
        inputs.add(Path.of(profile.fileOrDevice));
        Options.requireOutput("--out", out, "--config, --profile", inputs);
        List<ClaimSweep.Spec> sweepSpecs = ClaimSweep.parseAll(sweeps);
        List<Deployment> deployments = new ArrayList<>();
        for (Path config : configs) {
            Deployment d = DeploymentReader.read(config);
            deployments.add(phase.apply(d));
        }
        Deployment first = deployments.getFirst();
        for (int i = 1; i < deployments.size(); i++)
            if (deployments.get(i).model().dtype() != first.model().dtype())
                throw new BadInputException(configs.get(i) + ": $.model.dtype: " + deployments.get(i).model().dtype()
                        .id() + ", but " + configs.getFirst() + " is " + first.model().dtype().id()
                        + "; one report costs one GEMM dtype (one profile): write one report per dtype");
        String chosen = profile.fileOrDevice;
        CostModels.Opened costs = CostModels.openForModel(chosen, first.model().dtype(), first.network(),
                first.communicatingGpus());
        List<HtmlReport.PlanView> views = new ArrayList<>();
        for (int i = 0; i < deployments.size(); i++) {
            Deployment d = deployments.get(i);
            // each config has its own network: cost it with the profile's times and that network
            CostModel model = costs.model().withNetwork(CostModels.onDevice(d.network(), chosen, costs.linksDevice(),
                    d.communicatingGpus()));
            views.add(HtmlReport.PlanView.of(configs.get(i).toString(), d, DagAnalysis.of(d, model)));
        }
        // the seed's claim on 16 GPUs of the profile's device, where the model has its links; else left out
        ClaimPlans seed = ClaimPlans.of(null, null);
        boolean linked = costs.linksDevice().map(device -> Network.modelsLinksOf(device.id())).orElse(false);
        if (!linked && !sweepSpecs.isEmpty())
            throw new BadInputException("--sweep " + sweeps.getFirst() + ": sweeps the seed's claim, whose plans"
                    + " communicate among 16 GPUs, and their links on --profile " + chosen + " are not modeled");
        CostModel seedModel = !linked ? null : costs.model().withNetwork(CostModels.onDevice(
                seed.baseline().network(), chosen, costs.linksDevice(), seed.ma().communicatingGpus()));
        ClaimCheck claim = seedModel == null ? null
                : ClaimCheck.run(seedModel, seed.baseline(), seed.withExperts(), seed.ma());
        List<ClaimSweep> swept = sweepSpecs.stream()
                .map(s -> ClaimSweep.run(s, seedModel, seed.baseline(), seed.withExperts(), seed.ma())).toList();
        HtmlReport.write(out, new HtmlReport.Input("gemmcost report", costs, claim, swept, views));
        spec.commandLine().getOut().println("wrote " + out + " (" + views.size() + " plans" + (claim == null
                ? "; the seed's claim left out: its 16 GPUs' links on " + chosen + " are not modeled" : "")
                + "; open it in a browser)");
        return Gemmcost.OK;
    }
}
