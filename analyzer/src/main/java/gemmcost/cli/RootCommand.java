package gemmcost.cli;

import gemmcost.ToolVersion;
import gemmcost.cli.claim.CheckClaimCommand;
import gemmcost.cli.claim.SeedFormulasCommand;
import gemmcost.cli.table.GetTimeCommand;
import gemmcost.cli.table.ImportCsvCommand;
import gemmcost.cli.table.MergeCommand;
import gemmcost.cli.table.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code gemmcost}: the root of the command tree; its options apply to every subcommand. */
@Command(name = "gemmcost",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = RootCommand.Version.class,
        description = "GEMM cost tables, Get_Time for any shape, and DAG runtime analysis.",
        subcommands = {GetTimeCommand.class, ImportCsvCommand.class, ValidateCommand.class, MergeCommand.class, ModelCommand.class, PredictCommand.class, ValidateServingCommand.class,
                CheckCommCommand.class,
                CriticalPathCommand.class, AnalyzeCommand.class,
                SeedFormulasCommand.class, CheckClaimCommand.class, SearchCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
                "  scripts/gemmcost get-time --profile h100-sxm 2097152 512 4096",
                "  scripts/gemmcost import-csv --help",
                "  scripts/gemmcost --version",
                "%nExit status: 0 ok, 1 internal error, 2 bad input or environment, 3 a GPU fault after which the same"
                        + " command resumes (profile)."})
final class RootCommand implements Callable<Integer> {
    static final String DEBUG = "--debug";

    @Spec
    CommandSpec spec;

    @Option(names = DEBUG, scope = ScopeType.INHERIT, description = "Print the stack trace of an error.")
    boolean debug;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }

    /** {@code gemmcost VERSION (git COMMIT)}, from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"gemmcost " + ToolVersion.current()};
        }
    }
}
