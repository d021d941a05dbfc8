package gemmcost.bench.cli;

import gemmcost.bench.jmh.GemmBenchmark;
import gemmcost.bench.jmh.GpuEventProfiler;

import gemmcost.BadInputException;
import gemmcost.cuda.Backends;
import gemmcost.cuda.CudaProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code gemmcost jmh ARGS}: JMH's own command line over the benchmarks in this jar, with fail-on-error on (JMH
 * otherwise exits 0 when a setup throws), the GPU-event profiler added, native access enabled in forks, and the GPU
 * probed first when GemmBenchmark is selected, so a node without a GPU gets the probe's line and exit 2.
 */
@Command(name = "jmh",
        header = "Run JMH on this jar's benchmarks (GEMMs on a GPU, the analyzer's speed).",
        description = {"Run JMH on this jar's benchmarks: GemmBenchmark (GPU: host time per launch as JMH's score,",
                "GPU-event time as gpu.median.us, and a launch+sync baseline) and GetTimeBenchmark (lookups).",
                "Every JMH option passes through (-h lists them); -foe true and the GPU-event profiler are added."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost jmh -l",
                "  scripts/gemmcost jmh GemmBenchmark -p shape=8192x8192x8192,1x4096x4096 -p dtype=bf16 -rf json -rff"
                        + " gemm.json",
                "  scripts/gemmcost jmh GetTimeBenchmark -f 1 -wi 1 -i 1 -w 1s -r 1s"})
final class JmhCommand implements Callable<Integer> {
    private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    @Spec
    CommandSpec spec;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (args.contains("--help")) { // as every command has it; JMH's own option list is -h
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(args.toArray(String[]::new));
        } catch (CommandLineOptionException e) {
            throw new BadInputException("jmh: " + e.getMessage());
        }
        try {
            if (cmd.shouldHelp()) {
                cmd.showHelp();
                return 0;
            }
            if (cmd.shouldListWithParams()) {
                new Runner(cmd).listWithParams(cmd);
                return 0;
            }
            if (cmd.shouldList()) {
                new Runner(cmd).list();
                return 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> selected = selected(cmd.getIncludes(), cmd.getExcludes());
        if (selected.isEmpty()) {
            throw new BadInputException("jmh: no benchmark matched " + cmd.getIncludes()
                    + (cmd.getExcludes().isEmpty() ? "" : " less " + cmd.getExcludes())
                    + " (scripts/gemmcost jmh -l lists them)");
        }
        if (selected.stream().anyMatch(name -> name.startsWith(GemmBenchmark.class.getName() + "."))) {
            requireParams(cmd);
            requireGpu(cmd);
        }
        return run(cmd);
    }

    /**
     * The benchmarks of this jar that the include and exclude patterns select, as JMH selects them (regexps found
     * anywhere in the benchmark's name; no include = all).
     */
    static List<String> selected(List<String> includes, List<String> excludes) {
        for (String pattern : Stream.concat(includes.stream(), excludes.stream()).toList()) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw new BadInputException("jmh: '" + pattern + "' is not a regular expression: "
                        + e.getDescription());
            }
        }
        OutputFormat silent = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);
        return BenchmarkList.defaultList().find(silent, includes.isEmpty() ? List.of(".*") : includes, excludes)
                .stream().map(BenchmarkListEntry::getUsername).toList();
    }

    /**
     * GemmBenchmark's {@code -p} values checked before JMH forks: a bad one in its setup would end the run as an
     * internal error (JMH wraps it), not as the one-line refusal of bad input.
     */
    private static void requireParams(CommandLineOptions cmd) {
        BenchOptions.dtypes("jmh -p dtype", values(cmd, "dtype"));
        values(cmd, "shape").forEach(GemmBenchmark::parse);
        values(cmd, "backend").forEach(Backends.Choice::parse);
    }

    private static Collection<String> values(CommandLineOptions cmd, String param) {
        return cmd.getParameter(param).hasValue() ? cmd.getParameter(param).get() : List.of();
    }

    private static void requireGpu(CommandLineOptions cmd) {
        String given = cmd.getParameter("cudaLibDir").hasValue()
                ? cmd.getParameter("cudaLibDir").get().iterator().next() : "";
        Path libDir = ProbeCommand.existing(given.isEmpty() ? null : Path.of(given));
        CudaProbe.Result probe = CudaProbe.run(libDir);
        if (!probe.available() && Backends.jcudaProblem(libDir).isPresent()) {
            throw new BadInputException(probe.problem().orElseThrow());
        }
    }

    private static int run(CommandLineOptions cmd) {
        List<String> jvmArgs = new ArrayList<>(cmd.getJvmArgsAppend().orElse(List.of()));
        if (!jvmArgs.contains(NATIVE_ACCESS)) {
            jvmArgs.add(NATIVE_ACCESS);
        }
        Options options = new OptionsBuilder().parent(cmd).shouldFailOnError(true)
                .addProfiler(GpuEventProfiler.class).jvmArgsAppend(jvmArgs.toArray(String[]::new)).build();
        try {
            new Runner(options).run();
        } catch (RunnerException e) {
            throw new IllegalStateException("jmh: " + e.getMessage(), e);
        }
        return 0;
    }

    /** Registers this command with the gemmcost command tree. */
    public static final class Plugin implements gemmcost.cli.CommandPlugin {
        @Override
        public Object command() {
            return new JmhCommand();
        }

        /** {@code gemmcost jmh -h} is JMH's own option list; {@code jmh --help} and {@code help jmh} this command's. */
        @Override
        public boolean passesHelpThrough() {
            return true;
        }
    }
}
