package gemmcost.cli;

import gemmcost.BadInputException;
import gemmcost.ResumableFailure;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Builds the command tree and runs it. Exit codes: {@value #OK} ok, {@value #INTERNAL_ERROR} internal error
 * (a bug: {@code gemmcost: internal error: <exception>}), {@value #BAD_INPUT} bad input or environment (one
 * line {@code gemmcost: <message>}), {@value #RESUMABLE} a fault outside gemmcost after which the same command, run
 * again, resumes (a GPU's lost context; one line). {@code --debug} adds the stack trace.
 */
public final class Gemmcost {
    public static final int OK = 0;
    public static final int INTERNAL_ERROR = 1;
    public static final int BAD_INPUT = 2;
    public static final int RESUMABLE = 3;

    private Gemmcost() {
    }

    /** Runs {@code gemmcost args…} on the process's standard streams. */
    public static int run(String... args) {
        return run(System.out, System.err, args);
    }

    /** Runs {@code gemmcost args…} with results going to {@code out} and messages to {@code err}. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        try {
            return commandLine(outWriter, errWriter).execute(args);
        } catch (RuntimeException | ServiceConfigurationError | LinkageError | StackOverflowError e) {
            // failures outside a command (e.g. a broken plugin), and a bug's runaway recursion: still one line
            return internalError(e, errWriter, List.of(args).contains("--debug"));
        } catch (OutOfMemoryError e) {
            errWriter.println("gemmcost: out of memory (Java heap " + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB): the input is larger than this run can hold; JAVA_TOOL_OPTIONS=-Xmx… gives it more");
            return BAD_INPUT;
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** The root command with every built-in and plugin subcommand, wired to the given streams. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine root = new CommandLine(new RootCommand());
        for (CommandPlugin plugin : ServiceLoader.load(CommandPlugin.class))
            root.addSubcommand(plugin.command());
        // set last: these settings reach only the subcommands present at the time of the call
        root.setOut(out);
        root.setErr(err);
        root.setParameterExceptionHandler(Gemmcost::parameterError);
        root.setExecutionExceptionHandler((e, commandLine, parseResult) ->
                switch (e) {
                    case BadInputException bad -> oneLineExit(bad, BAD_INPUT, commandLine.getErr(), debug(parseResult));
                    case ResumableFailure stop -> oneLineExit(stop, RESUMABLE, commandLine.getErr(),
                            debug(parseResult));
                    default -> internalError(e, commandLine.getErr(), debug(parseResult));
                });
        return root;
    }

    private static int parameterError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("gemmcost: " + oneLine(e.getMessage()));
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
        return BAD_INPUT;
    }

    private static int oneLineExit(Exception e, int status, PrintWriter err, boolean debug) {
        err.println("gemmcost: " + oneLine(e.getMessage()));
        if (debug)
            e.printStackTrace(err);
        return status;
    }

    private static int internalError(Throwable e, PrintWriter err, boolean debug) {
        err.println("gemmcost: internal error: " + oneLine(e.toString()));
        if (debug)
            e.printStackTrace(err);
        return INTERNAL_ERROR;
    }

    /** Whether {@code --debug} was given at any level of the command line. */
    private static boolean debug(ParseResult parseResult) {
        for (ParseResult p = parseResult; p != null; p = p.subcommand())
            if (p.hasMatchedOption(RootCommand.DEBUG))
                return true;
        return false;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
