package gemmcost.claim;

import gemmcost.BadInputException;
import gemmcost.model.Deployment;
import gemmcost.model.DeploymentReader;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import java.nio.file.Path;

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
        // one cost model prices both plans: their networks must be the same one
        if (!base.network().sameAs(split.network()))
            throw new BadInputException("--baseline " + (baselineFile == null ? "(the seed's)" : baselineFile)
                    + " and --ma " + (maFile == null ? "(the seed's)" : maFile) + ": their $.network differ, and"
                    + " both plans are costed on one network (give both files the same $.network)");
        Deployment experts = base.withPlan("baseline TP" + tp.tp() + " x PP" + tp.pp()
                + " with the model's experts (MoE MLP)", base.gpus(),
                new Plan.TpPp(tp.tp(), tp.pp(), tp.microBatches(), Plan.Mlp.MOE));
        return new ClaimPlans(base, experts, split);
    }
}
