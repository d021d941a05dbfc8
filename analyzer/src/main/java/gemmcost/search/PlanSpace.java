package gemmcost.search;

import gemmcost.BadInputException;
import gemmcost.Limits;
import gemmcost.model.Deployment;
import gemmcost.model.ModelSpec;
import gemmcost.model.Plan;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The plans of a model on {@code gpus} GPUs: every TP × PP factorisation that uses all of them (TP divides the
 * heads and the expert width, PP the layers; the model's experts, TP-sharded), and every MA split into a attention
 * GPUs (0 … a − 1, heads balanced, the first GPUs taking the remainder) and gpus − a MoE GPUs (experts balanced
 * the same way), each with every micro-batch count that divides the batch.
 */
public record PlanSpace(int gpus, List<Integer> microBatches) {
    public PlanSpace {
        if (gpus < 1 || gpus > Limits.MAX_GPUS)
            throw new BadInputException("--gpus " + gpus + ": must be 1 to " + Limits.MAX_GPUS);
        microBatches = List.copyOf(new LinkedHashSet<>(microBatches)); // a count given twice is one plan, not two
        for (int mb : microBatches)
            if (mb < 1)
                throw new BadInputException("--micro-batches " + mb + ": must be >= 1");
    }

    /** The plans for {@code template}'s model, phase and network; {@code imbalance} for the MA plans' routing. */
    public List<Candidate> enumerate(Deployment template, double imbalance) {
        ModelSpec model = template.model();
        List<Candidate> plans = new ArrayList<>();
        for (int mb : microBatches) {
            if (template.workload().batch() % mb != 0)
                continue;
            for (int tp = 1; tp <= gpus; tp++)
                if (gpus % tp == 0 && model.heads() % tp == 0 && model.expertHidden() % tp == 0
                        && model.layers() % (gpus / tp) == 0)
                    plans.add(candidate(template, new Plan.TpPp(tp, gpus / tp, mb, Plan.Mlp.MOE)));
            for (int a = 1; a < gpus; a++)
                if (a <= model.heads() && gpus - a <= model.experts())
                    plans.add(candidate(template, ma(model, a, gpus - a, imbalance, mb)));
        }
        return plans;
    }

    private Candidate candidate(Deployment template, Plan plan) {
        Deployment d = template.withPlan(PlanText.describe(plan), gpus, plan);
        return new Candidate(d, "", true);
    }

    static Plan.MaSeparation ma(ModelSpec model, int attention, int moe, double imbalance, int microBatches) {
        return new Plan.MaSeparation(range(0, attention), balanced(model.heads(), attention), range(attention, moe),
                balanced(model.experts(), moe), imbalance, microBatches);
    }

    private static List<Integer> range(int first, int count) {
        return IntStream.range(first, first + count).boxed().toList();
    }

    /** {@code total} split over {@code parts}, the first {@code total % parts} taking one more. */
    static List<Integer> balanced(int total, int parts) {
        return IntStream.range(0, parts).mapToObj(i -> total / parts + (i < total % parts ? 1 : 0)).toList();
    }
}
