package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import gemmcost.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example of every command's {@code --help} and of the console blocks of the README and {@code docs/}, run as
 * printed (the part before a pipe) from a copy of a fresh clone's layout with {@code ../shared} beside it: exit 2
 * with exactly the line the page shows where it shows a refusal ({@code gemmcost: …}), else exit 0,
 * or on this GPU-less machine exit 2 with one line for the examples that need a GPU or the tables a GPU run writes
 * ({@code profiles/…} that are not committed, the per-GPU tables {@code merge} combines).
 */
class ExamplesTest {
    /** A console example's command, and the line after it (a documented refusal starts {@code gemmcost: }). */
    private static final Pattern CONSOLE_COMMAND = Pattern.compile("^\\$ scripts/gemmcost (.*)(?=\n(.*))",
            Pattern.MULTILINE);

    /** An example's arguments, and the one-line refusal the page shows for it ({@code null}: it must succeed). */
    record Example(String command, String refusal) {
    }

    @TempDir
    Path dir;

    /** The README's, the manual's and every command's examples, in the order a reader meets them. */
    static List<Example> examples() throws IOException {
        List<Example> examples = new ArrayList<>();
        Path root = CudaStandin.repositoryRoot();
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
        try (var docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        for (Path page : pages) {
            Matcher console = CONSOLE_COMMAND.matcher(Files.readString(page));
            while (console.find())
                examples.add(new Example(console.group(1),
                        console.group(2).startsWith("gemmcost: ") ? console.group(2) : null));
        }
        List<String> commands = new ArrayList<>(List.of(""));
        for (String line : CliRun.of("--help").out().lines().toList())
            if (line.matches("  [a-z][a-z-]+ .*") && !line.startsWith("  help "))
                commands.add(line.strip().split(" ")[0]);
        for (String command : commands) {
            String help = CliRun.of(command.isEmpty() ? new String[] {"--help"} : new String[] {"help", command}).out();
            help.lines().filter(l -> l.startsWith("  scripts/gemmcost ")).map(l -> l.substring(19))
                    .forEach(example -> examples.add(new Example(example, null)));
        }
        return examples;
    }

    /** Needs a GPU, or a table under {@code profiles/} that only a run on one would write (not a committed one). */
    private static boolean needsGpu(List<String> args) {
        return List.of("probe", "profile", "merge").contains(args.getFirst())
                || args.getFirst().equals("jmh") && args.stream().anyMatch(a -> a.startsWith("GemmBenchmark"))
                || args.stream().anyMatch(a -> a.startsWith("profiles/")
                        && !Files.isRegularFile(CudaStandin.repositoryRoot().resolve(a)));
    }

    @Test
    void everyExampleShouldRunAsPrinted() throws IOException {
        Path shared = CudaStandin.repositoryRoot().resolveSibling("shared");
        assumeThat(shared.resolve("data")).as("skipped: the examples read ../shared/data, absent here").exists();
        Path clone = Files.createDirectory(dir.resolve("gemmcost"));
        for (String tracked : List.of("examples", "scripts", "README.md", "docs", "profiles"))
            Files.createSymbolicLink(clone.resolve(tracked), CudaStandin.repositoryRoot().resolve(tracked));
        Files.createSymbolicLink(dir.resolve("shared"), shared);

        List<Example> examples = examples();
        assertThat(examples).hasSizeGreaterThan(30);
        for (Example e : examples) {
            String example = e.command();
            String command = example.replaceAll("\\s+#.*$", "").split(" \\| ")[0].strip();
            List<String> args = Arrays.asList(command.split("\\s+"));
            GemmcostProcess.Result run = GemmcostProcess.run(clone, Map.of(), args.toArray(String[]::new));
            String lastErrorLine = run.err().lines().reduce((a, b) -> b).orElse("");
            if (e.refusal() != null) {
                assertThat(run.status()).as(example + "\n" + run).isEqualTo(2);
                assertThat(lastErrorLine).as(example).isEqualTo(e.refusal());
            } else if (needsGpu(args)) {
                assertThat(run.status()).as(example + "\n" + run).isEqualTo(2);
                assertThat(lastErrorLine).as(example).startsWith("gemmcost: ");
            } else {
                assertThat(run.status()).as(example + "\n" + run).isZero();
            }
        }
    }

    @Test
    void jmhHelpShouldBeJmhsOwnOptionList() {
        GemmcostProcess.Result run = GemmcostProcess.run(dir, Map.of(), "jmh", "-h");

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("Usage: java -jar ... [regexp*] [options]");
    }
}
