package gemmcost.cli.table;

import gemmcost.BadInputException;
import gemmcost.ToolVersion;
import gemmcost.cli.Gemmcost;
import gemmcost.cli.Options;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.gettime.GetTimes;
import gemmcost.table.CsvImport;
import gemmcost.table.Measurement;
import gemmcost.table.ProfileJson;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gemmcost import-csv}: a profile from someone else's measurements in the neutral CSV. */
@Command(name = "import-csv",
        header = "Build a profile from measurements made elsewhere.",
        description = {
                "Build a profile from measurements made elsewhere, in the neutral CSV",
                "(header source,gpu,dtype,m,n,k,time_us,notes). Keeps the rows of one gpu and dtype",
                "(and source), aggregates repeated shapes by their median, and records the provenance",
                "as imported: gemmcost did not measure these times."},
        footerHeading = "%nExample:%n",
        footer = {
                "  scripts/gemmcost import-csv ../shared/data/gemm-public/vidur.csv --gpu H100 --dtype fp16 --out"
                        + " /tmp/h100-vidur-fp16.json"})
public final class ImportCsvCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The measurements CSV.")
    Path csv;

    @Option(names = "--gpu", required = true, paramLabel = "NAME", description = "Keep rows whose gpu column is NAME.")
    String gpu;

    @Option(names = "--dtype", required = true, paramLabel = "DTYPE",
            description = "Keep rows whose dtype column is DTYPE.")
    String dtype;

    @Option(names = "--source", paramLabel = "S", description = "Keep only rows whose source column is S.")
    String source;

    @Option(names = "--device", paramLabel = "CATALOG_ID",
            description = "Device catalog id to record, e.g. h100-sxm.")
    String catalogId;

    @Option(names = "--out", required = true, paramLabel = "PROFILE.json", description = "The profile to write.")
    Path out;

    @Override
    public Integer call() {
        Options.requireOutput("--out", out, "FILE", List.of(csv));
        if (catalogId != null) {
            Device device = DeviceCatalog.find(catalogId).orElseThrow(() -> new BadInputException("--device "
                    + catalogId + ": unknown device" + DeviceCatalog.didYouMean(catalogId) + " (catalog: "
                    + DeviceCatalog.ids() + ")"));
            if (!DeviceCatalog.mayName(gpu, device))
                throw new BadInputException("--device " + catalogId + ": --gpu " + gpu + DeviceCatalog.matchName(gpu)
                        .map(named -> " names a " + named.id()).orElse(" is no " + device.id() + " by its name")
                        + "; the device recorded must be the one the rows were measured on");
        }
        CsvImport.Result result = CsvImport.fromCsv(csv, gpu, dtype, source, catalogId, ToolVersion.current(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        for (Measurement row : result.rows()) // refused here, naming the row, not by every reader of the table
            GetTimes.requirePossible(csv + ":" + row.line() + ": " + row.shape(), row.shape(), row.timeUs());
        ProfileJson.write(out, result.profile());
        spec.commandLine().getOut().println("wrote " + out + ": " + result.profile().entries().size()
                + " shapes from " + result.rows().size() + " rows (imported, gpu=" + gpu + ", dtype=" + dtype + ")");
        return Gemmcost.OK;
    }
}
