package gemmcost.bench.cli;

import gemmcost.bench.ShapeSets;

import gemmcost.table.GemmShape;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost shapes}: print a shape set as CSV ({@code m,k,n}), the form {@code --shapes FILE} reads back. */
@Command(name = "shapes",
        header = "Print a shape set as CSV (m,k,n).",
        description = {"Print the shapes of a set, one m,k,n per line (CSV with header).",
                "seed: the 15 distinct Get_Time(m,k,n) of the seed report; grid: the interpolation grid (m in 1..65536,",
                "k and n powers of two in 128..65536 at most 32x apart); all: seed then grid; offgrid: 200 shapes off",
                "the grid (fixed seed) to validate a table's Get_Time on; FILE: a CSV whose header starts m,k,n."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost shapes --set seed", "  scripts/gemmcost shapes --set grid | wc -l",
                "  scripts/gemmcost shapes --set offgrid"})
final class ShapesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--set", required = true, paramLabel = ShapeSets.NAMES, description = "The shape set.")
    String set;

    @Override
    public Integer call() {
        List<GemmShape> shapes = ShapeSets.named(set);
        PrintWriter out = spec.commandLine().getOut();
        out.println("m,k,n");
        shapes.forEach(s -> out.println(s.m() + "," + s.k() + "," + s.n()));
        return 0;
    }

    /** Registers this command with the gemmcost command tree. */
    public static final class Plugin implements gemmcost.cli.CommandPlugin {
        @Override
        public Object command() {
            return new ShapesCommand();
        }
    }
}
