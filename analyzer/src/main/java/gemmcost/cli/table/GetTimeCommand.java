package gemmcost.cli.table;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gemmcost.Numbers;
import gemmcost.cli.Gemmcost;
import gemmcost.cli.Options;
import gemmcost.gettime.Estimate;
import gemmcost.gettime.GetTime;
import gemmcost.gettime.GetTimes;
import gemmcost.gettime.Label;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gemmcost get-time}: Get_Time(m, k, n) for one shape, with its label. */
@Command(name = "get-time",
        header = "Get_Time(M, K, N) from a profile or a catalog device, labelled.",
        description = {
                "Print Get_Time(M, K, N), the time of C[MxN] = A[MxK]·B[KxN] in microseconds, labelled",
                "measured (table hit), interpolated, extrapolated (with how far outside the table) or",
                "modeled (roofline from datasheet peaks when PROFILE is a catalog device); imported where the",
                "table holds someone else's measurements (import-csv), simulated where the CUDA stand-in made it."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  scripts/gemmcost get-time --profile h100-sxm 2097152 512 4096",
                "  scripts/gemmcost get-time --profile h200 --dtype fp8 --json 1000 8192 1280"})
public final class GetTimeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--profile", required = true, paramLabel = "PROFILE",
            description = "A profile file, or a catalog device id for the modeled roofline: "
                    + "a100-sxm-80gb, h100-sxm, h100-pcie, h200, l40s, b200.")
    String profile;

    @Mixin
    Options.CatalogDtype dtype;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Parameters(index = "0", paramLabel = "M", description = "Rows of A and C.")
    long m;

    @Parameters(index = "1", paramLabel = "K", description = "Columns of A, rows of B.")
    long k;

    @Parameters(index = "2", paramLabel = "N", description = "Columns of B and C.")
    long n;

    @Override
    public Integer call() throws Exception {
        GetTimes.Typed typed = dtype.open(profile);
        GetTime getTime = typed.getTime();
        Estimate e = getTime.estimate(m, k, n);
        Optional<Double> datasheetUs = typed.datasheet().map(r -> r.timeUs(m, k, n));
        // a stand-in's times are no measurement, as the source line does not count them either
        boolean beatsDatasheet = e.label() != Label.SIMULATED && datasheetUs.filter(us -> e.timeUs() < us).isPresent();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode node = new ObjectMapper().createObjectNode()
                    .put("m", m).put("k", k).put("n", n)
                    .put("time_us", e.timeUs())
                    .put("label", e.label().id())
                    .put("method", e.method().name().toLowerCase(Locale.ROOT))
                    .put("explain", e.explain())
                    .put("source", getTime.source());
            datasheetUs.ifPresentOrElse(us -> node.put("datasheet_roofline_us", us),
                    () -> node.putNull("datasheet_roofline_us"));
            out.println(node.put("faster_than_datasheet", beatsDatasheet));
        } else {
            out.printf(Locale.ROOT, "Get_Time(%d, %d, %d) = %s us  [%s] %s%n", m, k, n,
                    Numbers.micros(e.timeUs()), e.label().id(), e.explain());
            out.println("source: " + getTime.source());
            if (beatsDatasheet)
                out.printf(Locale.ROOT, "note: faster than the %s datasheet's roofline for this shape, %s us [modeled]:"
                        + " the table's times beat its DRAM bandwidth or peak here (operands held in L2, a boost"
                        + " clock)%n",
                        typed.device().orElseThrow().id(), Numbers.micros(datasheetUs.orElseThrow()));
        }
        return Gemmcost.OK;
    }
}
