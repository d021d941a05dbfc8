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
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example of every command's {@code --help} and of the console blocks of the README and {@code docs/}, run as
 * printed (the part before a pipe) from a copy of a fresh clone's layout with {@code ../shared} beside it: exit 2
 * with exactly the line the page shows where it shows a refusal ({@code gemmcost: …}), else exit 0,
 * or on this GPU-less machine exit 2 with one line for the examples that need a GPU or the tables a GPU run writes
 * ({@code profiles/…} that are not committed, the per-GPU tables {@code merge} combines). Every output line a page
 * shows under a command that needs no GPU must be printed today, in the page's order (a page may show an excerpt), so
 * that no figure in the docs drifts from what the tool prints.
 */
class ExamplesTest {
    private static final String CONSOLE_COMMAND = "$ scripts/gemmcost ";

    /**
     * An example's arguments, where it is ({@code README.md:70}; a command's help), the one-line refusal the page
     * shows for it ({@code null}: it must succeed) and the output lines the page shows under it.
     */
    record Example(String command, String where, String refusal, List<String> shown) {
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
        for (Path page : pages)
            examples.addAll(consoleExamples(root.relativize(page).toString(), Files.readAllLines(page)));
        List<String> commands = new ArrayList<>(List.of(""));
        for (String line : CliRun.of("--help").out().lines().toList())
            if (line.matches("  [a-z][a-z-]+ .*") && !line.startsWith("  help "))
                commands.add(line.strip().split(" ")[0]);
        for (String command : commands) {
            String help = CliRun.of(command.isEmpty() ? new String[] {"--help"} : new String[] {"help", command}).out();
            help.lines().filter(l -> l.startsWith("  scripts/gemmcost ")).map(l -> l.substring(19))
                    .forEach(example -> examples.add(new Example(example, "help " + command, null, List.of())));
        }
        return examples;
    }

    /** A page's {@code $ scripts/gemmcost …} lines in console blocks, each with the lines under it up to the next. */
    static List<Example> consoleExamples(String page, List<String> lines) {
        List<Example> found = new ArrayList<>();
        boolean console = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```"))
                console = line.equals("```console");
            if (!console || !line.startsWith(CONSOLE_COMMAND))
                continue;
            List<String> shown = new ArrayList<>();
            for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("$ ") && !lines.get(j).startsWith("```");
                 j++)
                shown.add(lines.get(j));
            String refusal = shown.isEmpty() || !shown.getFirst().startsWith("gemmcost: ") ? null : shown.getFirst();
            found.add(new Example(line.substring(CONSOLE_COMMAND.length()), page + ":" + (i + 1), refusal, shown));
        }
        return found;
    }

    /**
     * Where a page's output line is missing from what the command prints ({@code printed}, after the lines matched
     * before it), or empty: each shown line must be printed, in the page's order, a run's wall time ("(5.5 s)")
     * aside.
     */
    static Optional<String> missingShownLine(List<String> shown, String printed) {
        List<String> lines = printed.lines().map(ExamplesTest::normal).toList();
        int at = 0;
        for (String line : shown) {
            String wanted = normal(line);
            while (at < lines.size() && !lines.get(at).equals(wanted))
                at++;
            if (at == lines.size())
                return Optional.of(line);
            at++;
        }
        return Optional.empty();
    }

    private static String normal(String line) {
        return line.stripTrailing().replaceAll("\\(\\d+(\\.\\d+)? s\\)", "(… s)");
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
        boolean withShared = Files.isDirectory(shared.resolve("data"));
        Path clone = Files.createDirectory(dir.resolve("gemmcost"));
        for (String tracked : List.of("examples", "scripts", "README.md", "docs", "profiles"))
            Files.createSymbolicLink(clone.resolve(tracked), CudaStandin.repositoryRoot().resolve(tracked));
        if (withShared)
            Files.createSymbolicLink(dir.resolve("shared"), shared);

        List<Example> examples = examples();
        assertThat(examples).hasSizeGreaterThan(30);
        int withoutShared = 0;
        for (Example e : examples) {
            String example = e.command();
            if (!withShared && (example.contains("../shared/") || example.contains("/tmp/"))) {
                withoutShared++; // it reads ../shared/data, or a table an example made of it
                continue;
            }
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
            if (!needsGpu(args))
                assertThat(missingShownLine(e.shown(), run.out() + run.err())).as("%s: %s shows a line the command no"
                        + " longer prints (in this order); it prints:%n%s%s", e.where(), example, run.out(), run.err())
                        .isEmpty();
        }
        assumeThat(withoutShared).as("skipped: %d examples read ../shared/data, absent here (the others ran)",
                withoutShared).isZero();
    }

    @Test
    void aPageShouldShowPrintedLinesInTheirOrderWithAnyWallTime() {
        assertThat(missingShownLine(List.of("a", "c"), "a\nb\nc\n")).isEmpty();
        assertThat(missingShownLine(List.of("c", "a"), "a\nb\nc\n")).contains("a");
        assertThat(missingShownLine(List.of("rows: 3 (5.5 s)  "), "rows: 3 (13.2 s)\n")).isEmpty();
        assertThat(missingShownLine(List.of("rows: 3 (5.5 s)"), "rows: 4 (5.5 s)\n")).contains("rows: 3 (5.5 s)");
        List<String> page = List.of("```console", "$ scripts/gemmcost get-time 1 2 3", "Get_Time", "```", "",
                "$ scripts/gemmcost model x", "```console", "$ scripts/gemmcost model y --tp 3", "gemmcost: no");
        assertThat(consoleExamples("p.md", page)).containsExactly(
                new Example("get-time 1 2 3", "p.md:2", null, List.of("Get_Time")),
                new Example("model y --tp 3", "p.md:8", "gemmcost: no", List.of("gemmcost: no")));
    }

    @Test
    void jmhHelpShouldBeJmhsOwnOptionList() {
        GemmcostProcess.Result run = GemmcostProcess.run(dir, Map.of(), "jmh", "-h");

        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("Usage: java -jar ... [regexp*] [options]");
    }
}
