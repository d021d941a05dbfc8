package gemmcost.cli.claim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gemmcost.Numbers;
import gemmcost.claim.SeedFormulas;
import gemmcost.cli.Gemmcost;
import gemmcost.cli.Options;
import gemmcost.gettime.GetTime;
import gemmcost.gettime.Label;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost seed-formulas}: the seed report's Get_Time expressions, evaluated literally. */
@Command(name = "seed-formulas",
        header = "The seed report's expressions, evaluated exactly as written.",
        description = {
                "Evaluate the seed report's expressions exactly as written (m = 2097152 everywhere, its shapes,",
                "coefficients and max()es, errors included) with a profile's Get_Time: the baseline's \"Total",
                "Critical Path Time\" and \"Optimized\" expressions, and the MA-separation expression.",
                "Communication_Overhead is 0 unless --comm-us is given."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost seed-formulas", "  scripts/gemmcost seed-formulas --profile h200 --comm-us 500 --json"})
public final class SeedFormulasCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Options.Profile profile;

    @Mixin
    Options.CatalogDtype dtype;

    @Option(names = "--comm-us", paramLabel = "US", defaultValue = "0",
            description = "Communication_Overhead in microseconds. Default: ${DEFAULT-VALUE}.")
    double commUs;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (!(commUs >= 0) || Double.isInfinite(commUs))
            throw new gemmcost.BadInputException("--comm-us " + commUs + ": must be finite and >= 0");
        GetTime getTime = dtype.open(profile.fileOrDevice).getTime();
        commUs += 0.0; // -0 is 0: never printed as "-0.000"
        SeedFormulas s = SeedFormulas.evaluate(getTime, commUs);
        if (!Double.isFinite(s.baselineTotalUs()) || !Double.isFinite(s.baselineOptimizedUs())
                || !Double.isFinite(s.maUs()))
            throw new gemmcost.BadInputException("--comm-us " + commUs + ": the seed's expressions overflow a 64-bit"
                    + " float with it");
        Set<Label> resultLabels = EnumSet.copyOf(s.labels()); // the overhead is the user's: given, where it counts
        if (commUs > 0)
            resultLabels.add(Label.GIVEN);
        String labels = Label.join(resultLabels);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode node = new ObjectMapper().createObjectNode().put("source", getTime.source());
            Label.ids(resultLabels).forEach(node.putArray("labels")::add);
            out.println(node.put("comm_us", commUs).put("baseline_total_us", s.baselineTotalUs())
                    .put("baseline_optimized_us", s.baselineOptimizedUs()).put("ma_us", s.maUs())
                    // in % as the text and every other *_pct field (it was a fraction: -6.29 for -629.3 %)
                    .put("reduction_vs_total_pct", 100 * SeedFormulas.reduction(s.baselineTotalUs(), s.maUs()))
                    .put("reduction_vs_optimized_pct", 100 * SeedFormulas.reduction(s.baselineOptimizedUs(),
                            s.maUs())));
            return Gemmcost.OK;
        }
        out.println("Get_Time: " + getTime.source());
        out.printf(Locale.ROOT, "seed expressions as written, m = %d, Communication_Overhead = %s us [given]%n",
                SeedFormulas.M, Numbers.micros(commUs));
        out.printf(Locale.ROOT, "  baseline \"Total Critical Path Time\"  %14s us  [%s]%n",
                Numbers.micros(s.baselineTotalUs()), labels);
        out.printf(Locale.ROOT, "  baseline \"Optimized\"                 %14s us  [%s]%n",
                Numbers.micros(s.baselineOptimizedUs()), labels);
        out.printf(Locale.ROOT, "  MA-separation                        %14s us  (attention %s, MoE %s per layer)"
                + "  [%s]%n",
                Numbers.micros(s.maUs()), Numbers.micros(s.attentionUs()), Numbers.micros(s.moeUs()), labels);
        out.printf(Locale.ROOT, "  reduction vs Total %s, vs Optimized %s  [%s]  (claimed: 34.2%%)%n",
                Numbers.percent(SeedFormulas.reduction(s.baselineTotalUs(), s.maUs())),
                Numbers.percent(SeedFormulas.reduction(s.baselineOptimizedUs(), s.maUs())), labels);
        return Gemmcost.OK;
    }
}
