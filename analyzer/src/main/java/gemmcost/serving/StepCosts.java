package gemmcost.serving;

import gemmcost.cost.CostModel;
import gemmcost.deploy.Layout;
import gemmcost.model.hf.Architecture;
import gemmcost.plan.Step;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The steps of one model on one cost model, each costed once: a search over plans meets the same layout's step in
 * every plan it is a part of (a disaggregated plan's prefill workers beside each plan of its decode workers). Not
 * thread-safe, as a {@link CostModel}'s Get_Time cache is not.
 */
public final class StepCosts {
    private final Architecture model;
    private final CostModel cost;
    private final Map<Key, StepCost> costed = new HashMap<>();

    private record Key(String name, Layout layout, Step step) {
    }

    public StepCosts(Architecture model, CostModel cost) {
        this.model = Objects.requireNonNull(model, "model");
        this.cost = Objects.requireNonNull(cost, "cost");
    }

    /** {@link StepCost#of}, costed on the first call for these arguments only. */
    StepCost of(String name, Layout layout, Step step) {
        return costed.computeIfAbsent(new Key(name, layout, step), k -> StepCost.of(name, model, layout, step, cost));
    }

    Architecture model() {
        return model;
    }

    CostModel cost() {
        return cost;
    }
}
