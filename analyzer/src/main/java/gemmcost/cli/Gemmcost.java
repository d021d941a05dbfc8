package gemmcost.cli;

import gemmcost.BadInputException;
import gemmcost.ResumableFailure;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
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
        for (CommandPlugin plugin : ServiceLoader.load(CommandPlugin.class)) {
            root.addSubcommand(plugin.command());
            if (plugin.passesHelpThrough()) {
                CommandLine added = root.getSubcommands().values().stream().reduce((a, b) -> b).orElseThrow();
                for (String name : List.of("-h", "--help")) {
                    var option = added.getCommandSpec().findOption(name);
                    if (option != null)
                        added.getCommandSpec().remove(option);
                }
            }
        }
        // set last: these settings reach only the subcommands present at the time of the call
        root.setUsageHelpWidth(usageWidth(root, System.getenv("COLUMNS")));
        Options.registerConverters(root);
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

    /**
     * The terminal's width ({@code COLUMNS}, else 80), widened to the longest example line of any command: an example
     * wrapped inside its arguments could not be copied and run.
     */
    static int usageWidth(CommandLine root, String columns) {
        int width = columns != null && columns.matches("\\d{2,4}") ? Math.max(55, Integer.parseInt(columns)) : 80;
        List<CommandLine> all = new java.util.ArrayList<>(List.of(root));
        all.addAll(root.getSubcommands().values());
        for (CommandLine c : all)
            for (String line : c.getCommandSpec().usageMessage().footer())
                width = Math.max(width, line.length() + 1);
        return width;
    }

    /** Exactly one line, the usage hint inside it: a second line would break "one line per error". */
    private static int parameterError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String message = unknownOption(command, args).orElse(oneLine(e.getMessage()));
        command.getErr().println("gemmcost: " + message + " (usage: " + command.getCommandSpec().qualifiedName()
                + " --help)");
        return BAD_INPUT;
    }

    /**
     * The first argument that looks like an option but is none of the command's (or its parents'), said as such:
     * picocli would otherwise take it for a positional parameter and blame the next one ("'h100-sxm' is not a
     * long"). With the nearest option name when it is a likely typo.
     */
    static Optional<String> unknownOption(CommandLine command, String[] args) {
        for (String arg : args) {
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--") || arg.matches("-[0-9.].*"))
                continue;
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            boolean known = false;
            for (CommandLine c = command; c != null && !known; c = c.getParent())
                known = c.getCommandSpec().findOption(name) != null;
            if (!known)
                return Optional.of("unknown option '" + name + "'" + nearest(command, name)
                        .map(n -> " (did you mean " + n + "?)").orElse(""));
        }
        return Optional.empty();
    }

    private static Optional<String> nearest(CommandLine command, String name) {
        String best = null;
        int bestDistance = 3; // a typo: at most two edits
        for (String option : command.getCommandSpec().optionsMap().keySet()) {
            int d = editDistance(name, option);
            if (d < bestDistance) {
                best = option;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
            previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
                current[j] = Math.min(Math.min(current[j - 1], previous[j]) + 1,
                        previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
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
