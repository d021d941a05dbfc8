package gemmcost.cli;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import gemmcost.model.Phase;

/** Parsing and formatting shared by the commands. */
final class Options {
    private Options() {
    }

    static Phase phase(String text) {
        return Phase.parse(text).orElseThrow(
                () -> new BadInputException("--phase " + text + ": must be prefill or decode"));
    }

    static Dtype dtype(String text) {
        return Dtype.require("--dtype", text);
    }
}
