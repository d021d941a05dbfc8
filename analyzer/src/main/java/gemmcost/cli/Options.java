package gemmcost.cli;

import gemmcost.BadInputException;
import gemmcost.cost.CostModels;
import gemmcost.device.Dtype;
import gemmcost.model.Deployment;
import gemmcost.model.Phase;
import picocli.CommandLine.Option;

/** Options and parsing shared by the commands. */
final class Options {
    private Options() {
    }

    /** {@code --profile}, mixed into every command that costs a DAG or the seed's formulas. */
    static final class Profile {
        @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = CostModels.DEFAULT_PROFILE,
                description = "A profile file, or a catalog device id for modeled roofline times. "
                        + "Default: ${DEFAULT-VALUE}.")
        String fileOrDevice;
    }

    /** {@code --phase}, mixed into the commands that read deployment configs. */
    static final class PhaseOverride {
        @Option(names = "--phase", paramLabel = "PHASE",
                description = "prefill or decode; default: the config's phase.")
        String phase;

        /** The deployment in the phase asked for, or as it is. */
        Deployment apply(Deployment deployment) {
            return phase == null ? deployment : deployment.withPhase(phase(phase));
        }
    }

    static Phase phase(String text) {
        return Phase.parse(text).orElseThrow(
                () -> new BadInputException("--phase " + text + ": must be prefill or decode"));
    }

    static Dtype dtype(String text) {
        return Dtype.require("--dtype", text);
    }
}
