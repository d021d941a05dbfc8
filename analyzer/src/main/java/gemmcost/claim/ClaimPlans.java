package gemmcost.claim;

import gemmcost.BadInputException;
import gemmcost.model.Deployment;
import gemmcost.model.DeploymentReader;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** The three deployments the claim check compares: the baseline as given, the baseline with experts, MA. */
public record ClaimPlans(Deployment baseline, Deployment withExperts, Deployment ma) {
    /** The given configs, or the seed's plans where none is given. */
    public static ClaimPlans of(Path baselineFile, Path maFile) {
        Deployment base = baselineFile == null ? SeedDeployments.baseline(Plan.Mlp.DENSE, Phase.DECODE)
                : DeploymentReader.read(baselineFile);
        Deployment split = maFile == null ? SeedDeployments.maSeparation(Phase.DECODE) : DeploymentReader.read(maFile);
        if (!(base.plan() instanceof Plan.TpPp tp))
            throw new BadInputException("--baseline " + baselineFile + ": $.plan.kind: the baseline must be a tp_pp"
                    + " plan, this is ma_separation");
        if (!(split.plan() instanceof Plan.MaSeparation))
            throw new BadInputException("--ma " + maFile + ": $.plan.kind: the MA side must be an ma_separation plan,"
                    + " this is tp_pp");
        String both = "--baseline " + (baselineFile == null ? "(the seed's)" : baselineFile) + " and --ma "
                + (maFile == null ? "(the seed's)" : maFile);
        // one cost model prices both plans: their networks must be the same one
        if (!base.network().sameAs(split.network()))
            throw new BadInputException(both + ": their $.network differ, and both plans are costed on one network"
                    + " (give both files the same $.network)");
        if (!base.model().equals(split.model()) || !base.workload().equals(split.workload()))
            throw new BadInputException(both + ": " + modelDifference(base, split) + "; the claim compares two plans"
                    + " of one model and workload (give both files the same $.model)");
        Deployment experts = base.withPlan("baseline TP" + tp.tp() + " x PP" + tp.pp()
                + " with the model's experts (MoE MLP)", base.gpus(),
                new Plan.TpPp(tp.tp(), tp.pp(), tp.microBatches(), Plan.Mlp.MOE));
        return new ClaimPlans(base, experts, split);
    }

    /** The first field of $.model in which two deployments differ, as {@code $.model.batch is 64 and 1024}. */
    private static String modelDifference(Deployment base, Deployment split) {
        Map<String, Function<Deployment, Object>> fields = new LinkedHashMap<>();
        fields.put("layers", d -> d.model().layers());
        fields.put("hidden", d -> d.model().hidden());
        fields.put("heads", d -> d.model().heads());
        fields.put("head_dim", d -> d.model().headDim());
        fields.put("vocab", d -> d.model().vocab());
        fields.put("experts", d -> d.model().experts());
        fields.put("expert_hidden", d -> d.model().expertHidden());
        fields.put("top_k", d -> d.model().topK());
        fields.put("dtype", d -> d.model().dtype().id());
        fields.put("activation", d -> d.model().activation().id());
        fields.put("batch", d -> d.workload().batch());
        fields.put("seq_len", d -> d.workload().seqLen());
        return fields.entrySet().stream().filter(f -> !f.getValue().apply(base).equals(f.getValue().apply(split)))
                .findFirst().map(f -> "$.model." + f.getKey() + " is " + f.getValue().apply(base) + " and "
                        + f.getValue().apply(split))
                .orElse("their $.model differ"); // a field this list lacks: the records say they differ
    }
}
