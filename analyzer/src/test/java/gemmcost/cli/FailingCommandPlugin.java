package gemmcost.cli;

import gemmcost.BadInputException;
import gemmcost.ResumableFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A plugin found through META-INF/services in the test class path, to test error handling and plugin loading. */
public final class FailingCommandPlugin implements CommandPlugin {
    @Override
    public Object command() {
        return new Fail();
    }

    @Command(name = "test-fail", hidden = true, description = "Fails on purpose.",
            footerHeading = "%nExample:%n", footer = "  gemmcost test-fail --bad-input")
    static final class Fail implements Runnable {
        @Option(names = "--bad-input", description = "Fail as the user's fault.")
        boolean badInput;

        @Option(names = "--resumable", description = "Fail as a lost GPU would.")
        boolean resumable;

        @Override
        public void run() {
            if (badInput)
                throw new BadInputException("the input is bad");
            if (resumable)
                throw new ResumableFailure("the GPU is lost; run again to resume", new IllegalStateException("700"));
            throw new IllegalStateException("boom");
        }
    }
}
