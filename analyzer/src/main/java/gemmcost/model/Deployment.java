package gemmcost.model;

import gemmcost.comm.Network;
import java.util.Objects;

/** A model and its workload, a plan on {@code gpus} GPUs, the phase to analyse and the network between the GPUs. */
public record Deployment(String name, int gpus, ModelSpec model, Workload workload, Plan plan, Phase phase,
                         Network network) {
    public Deployment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(network, "network");
    }

    /** The GPUs the plan's collectives and sends span: tp × pp of a TP×PP plan (1: none), every GPU of an MA plan. */
    public int communicatingGpus() {
        return switch (plan) {
            case Plan.TpPp p -> p.tp() * p.pp();
            case Plan.MaSeparation m -> gpus;
        };
    }

    public Deployment withPhase(Phase other) {
        return new Deployment(name, gpus, model, workload, plan, other, network);
    }

    public Deployment withWorkload(Workload other) {
        return new Deployment(name, gpus, model, other, plan, phase, network);
    }

    public Deployment withModel(ModelSpec other) {
        return new Deployment(name, gpus, other, workload, plan, phase, network);
    }

    /** The same model, workload, phase and network on another plan. */
    public Deployment withPlan(String otherName, int otherGpus, Plan other) {
        return new Deployment(otherName, otherGpus, model, workload, other, phase, network);
    }
}
