package gemmcost.model;

import gemmcost.comm.Network;
import java.util.Objects;

/** A model, a plan on {@code gpus} GPUs, the phase to analyse and the network between the GPUs. */
public record Deployment(String name, int gpus, ModelSpec model, Plan plan, Phase phase, Network network) {
    public Deployment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(network, "network");
    }

    public Deployment withPhase(Phase other) {
        return new Deployment(name, gpus, model, plan, other, network);
    }

    public Deployment withModel(ModelSpec other) {
        return new Deployment(name, gpus, other, plan, phase, network);
    }
}
