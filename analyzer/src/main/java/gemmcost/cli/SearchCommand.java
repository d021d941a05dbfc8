package gemmcost.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gemmcost.BadInputException;
import gemmcost.Numbers;
import gemmcost.claim.SeedPlans;
import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.deploy.MemoryFootprint;
import gemmcost.device.Device;
import gemmcost.gettime.Label;
import gemmcost.model.Deployment;
import gemmcost.model.DeploymentReader;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import gemmcost.model.PlanMemory;
import gemmcost.search.Candidate;
import gemmcost.search.Evaluated;
import gemmcost.search.PlanSearch;
import gemmcost.search.PlanSpace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost search}: every TP × PP and MA plan of a model on N GPUs, ranked by modeled TPOT. */
@Command(name = "search",
        header = "Rank the TP x PP and MA plans of a model on N GPUs by TPOT.",
        description = {
                "Enumerate the plans of a config's model on N GPUs (TP x PP factorisations with the model's experts;",
                "MA splits into a attention GPUs and N - a MoE GPUs, heads and experts balanced; each with every",
                "micro-batch count asked for), build and schedule each one's DAG, and rank them by the makespan of one",
                "step (the TPOT in decode). The seed's two plans are marked where they are in the space."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  scripts/gemmcost search --config examples/seed-ma-separation.json --gpus 16",
                "  scripts/gemmcost search --config examples/seed-ma-separation.json --gpus 16 --phase prefill --top 5 --json"})
final class SearchCommand implements Callable<Integer> {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "A deployment config: its model, phase, network (and MA imbalance) are used; its plan is"
                    + " not searched from, but is checked as the file is read.")
    Path config;

    @Option(names = "--gpus", paramLabel = "N", description = "GPUs to plan for. Default: the config's gpus.")
    Integer gpus;

    @Mixin
    Options.PhaseOverride phase;

    @Mixin
    Options.Profile profile;

    @Option(names = "--micro-batches", paramLabel = "LIST", split = ",", defaultValue = "1,2,4",
            description = "Micro-batch counts to try (those dividing the batch; the others are named and left"
                    + " out). Default: ${DEFAULT-VALUE}.")
    List<Integer> microBatches;

    @Option(names = "--top", paramLabel = "K", defaultValue = "10", description = "Plans to list. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--threads", paramLabel = "T", description = "Threads, at most 4 per core. Default: the"
            + " machine's cores.")
    Integer threads;

    /** Plan evaluation is CPU-bound: more threads than this only cost memory. */
    static final int MAX_THREADS_PER_CORE = 4;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Deployment template = DeploymentReader.read(config);
        template = phase.apply(template);
        if (top < 1)
            throw new BadInputException("--top " + top + ": must be >= 1");
        int cores = Runtime.getRuntime().availableProcessors();
        int workers = threads == null ? cores : threads;
        if (workers < 1 || workers > MAX_THREADS_PER_CORE * cores)
            throw new BadInputException("--threads " + workers + ": must be from 1 to " + MAX_THREADS_PER_CORE * cores
                    + " (" + MAX_THREADS_PER_CORE + " per core; this machine has " + cores + ")");
        PlanSpace space = new PlanSpace(gpus == null ? template.gpus() : gpus, microBatches);
        double imbalance = template.plan() instanceof Plan.MaSeparation ma ? ma.imbalance() : 1.0;
        int batch = template.workload().batch();
        if (microBatches.stream().noneMatch(mb -> mb > 0 && batch % mb == 0))
            throw new BadInputException("--micro-batches " + microBatches.stream().map(String::valueOf)
                    .collect(Collectors.joining(",")) + ": none divides the model's batch of " + batch + " sequences");
        CostModels.Opened costs = CostModels.openForModel(profile.fileOrDevice, template.model().dtype(),
                template.network(), space.gpus());
        Optional<Device> device = costs.catalogDevice();
        List<Candidate> candidates = space.enumerate(template, imbalance);
        if (candidates.isEmpty())
            throw new BadInputException("--gpus " + space.gpus() + ": no TP x PP or MA plan of " + config
                    + "'s model fits (TP must divide heads and expert_hidden, PP the layers; MA needs a <= heads"
                    + " attention GPUs and at most one MoE GPU per expert)");
        CostModel model = costs.model();
        List<Candidate> fitting = new ArrayList<>();
        int misfits = 0;
        double leastBytes = Double.POSITIVE_INFINITY;
        for (Candidate c : SeedPlans.mark(candidates)) {
            PlanMemory memory = PlanMemory.of(c.deployment());
            if (device.isEmpty() || memory.fits(device.get()))
                fitting.add(c);
            else {
                misfits += c.ranked() ? 1 : 0;
                leastBytes = Math.min(leastBytes, memory.totalBytes());
                if (!c.seed().isEmpty()) // a seed plan stays beside the ranking, for comparison
                    fitting.add(new Candidate(c.deployment(), c.seed() + "; does not fit, not ranked", false));
            }
        }
        if (fitting.stream().noneMatch(Candidate::ranked))
            throw new BadInputException(String.format(Locale.ROOT, "--gpus %d: no plan of %s fits: the fullest GPU of"
                    + " the least loaded holds %s of weights and KV cache, more than the %s usable on a %s [modeled]",
                    space.gpus(), config, Numbers.gigabytes(leastBytes),
                    Numbers.gigabytes(MemoryFootprint.usableBytes(device.orElseThrow())), device.orElseThrow().id()));
        PlanSearch.Result result = PlanSearch.run(fitting, model, workers);
        String misfitLine = device.isEmpty() ? "memory:" + PlanMemory.UNCHECKED : misfits == 0 ? null
                : String.format(Locale.ROOT, "%d more plans do not fit: their fullest GPU's weights and KV cache are"
                        + " over the %s usable on a %s (modeled); neither evaluated nor ranked", misfits,
                        Numbers.gigabytes(MemoryFootprint.usableBytes(device.get())), device.get().id());
        PrintWriter out = spec.commandLine().getOut();
        if (json)
            out.println(device.isEmpty() ? json(result, space, template, model)
                    : json(result, space, template, model).put("plans_not_fitting", misfits));
        else
            text(result, space, template, model, misfitLine, out);
        return Gemmcost.OK;
    }

    private void text(PlanSearch.Result r, PlanSpace space, Deployment template, CostModel model, String misfitLine,
                      PrintWriter out) {
        out.printf(Locale.ROOT, "plan search: %d GPUs, %s, the model of %s%n", space.gpus(), template.phase().id(),
                config);
        out.println("costs: " + model.getTime().source());
        out.printf(Locale.ROOT, "%d plans (TP x PP and MA splits; micro-batches %s) evaluated in %.1f ms on %d threads"
                        + " (%,.0f plans/s, JIT warm-up included)%n", r.evaluated(), counts(space, template, true),
                r.wallNanos() / 1e6, r.threads(), r.plansPerSecond());
        List<Integer> leftOut = counts(space, template, false);
        if (!leftOut.isEmpty())
            out.printf(Locale.ROOT, "micro-batches %s left out: they do not divide the batch of %d sequences%n",
                    leftOut, template.workload().batch());
        if (misfitLine != null)
            out.println(misfitLine);
        String row = "  %5s  %10s  %-14s  %s%s%n";
        out.printf(Locale.ROOT, "%n" + row, "rank", stepColumn(template), "label", "plan", "");
        r.ranked().stream().limit(top).forEach(e -> row(out, row, e));
        if (!r.seeds().isEmpty()) {
            out.printf(Locale.ROOT, "%nthe seed's plans:%n");
            r.seeds().forEach(e -> row(out, row, e));
        }
    }

    /** The micro-batch counts asked for that divide the template's batch ({@code dividing}), or those that do not. */
    private static List<Integer> counts(PlanSpace space, Deployment template, boolean dividing) {
        return space.microBatches().stream()
                .filter(mb -> (template.workload().batch() % mb == 0) == dividing).toList();
    }

    private static void row(PrintWriter out, String format, Evaluated e) {
        out.printf(Locale.ROOT, format, e.rank() > 0 ? Integer.toString(e.rank()) : "-",
                Numbers.millis(e.tpotUs()), Label.join(e.labels()), e.candidate().describe(),
                e.candidate().seed().isEmpty() ? "" : "   <- " + e.candidate().seed());
    }

    private static String stepColumn(Deployment template) {
        return template.phase() == Phase.DECODE ? "TPOT_ms" : "step_ms";
    }

    private ObjectNode json(PlanSearch.Result r, PlanSpace space, Deployment template, CostModel model) {
        ObjectNode root = MAPPER.createObjectNode().put("config", config.toString()).put("gpus", space.gpus())
                .put("phase", template.phase().id()).put("source", model.getTime().source())
                .put("plans_evaluated", r.evaluated()).put("threads", r.threads())
                .put("wall_ms", r.wallNanos() / 1e6).put("plans_per_s", r.plansPerSecond());
        ArrayNode mbs = root.putArray("micro_batches");
        counts(space, template, true).forEach(mbs::add);
        ArrayNode leftOut = root.putArray("micro_batches_left_out");
        counts(space, template, false).forEach(leftOut::add);
        ArrayNode best = root.putArray("top");
        r.ranked().stream().limit(top).forEach(e -> best.add(json(e)));
        ArrayNode seeds = root.putArray("seed_plans");
        r.seeds().forEach(e -> seeds.add(json(e)));
        return root;
    }

    private static ObjectNode json(Evaluated e) {
        ObjectNode node = MAPPER.createObjectNode();
        if (e.rank() > 0)
            node.put("rank", e.rank());
        else
            node.putNull("rank");
        node.put("plan", e.candidate().describe()).put("step_us", e.tpotUs());
        Label.ids(e.labels()).forEach(node.putArray("labels")::add);
        if (!e.candidate().seed().isEmpty())
            node.put("seed", e.candidate().seed());
        return node;
    }
}
