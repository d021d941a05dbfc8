package gemmcost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckCommCommandTest {
    private static final String NL = System.lineSeparator();
    private static final String HEADER = "gpu,nccl_version,collective,dtype,num_gpus,message_elements,time_us\n";

    @TempDir
    Path dir;

    /** The output lines of a check of these CSV rows (after the header), which must succeed. */
    private String[] checked(String rows, String... options) throws IOException {
        Path csv = Files.writeString(dir.resolve("nccl.csv"), HEADER + rows);
        List<String> args = new ArrayList<>(List.of("check-comm", "--nccl", csv.toString()));
        args.addAll(List.of(options));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.status()).as(run.err()).isZero();
        return run.out().split(NL);
    }

    @Test
    void shouldGiveTheMedianErrorAndTheWorstRowOfEachGroup() throws IOException {
        String[] lines = checked("H100_SXM,2.29.2,all_reduce,half,2,1000000,20.0\n"
                + "H100_SXM,2.29.2,all_reduce,half,2,500000,10.0\n"
                + "B200_SXM,2.29.2,all_reduce,half,2,500000,1.0\n");

        // nvlink: 4.3 µs + 2·(2−1) steps × 0.8 µs + bytes × 2·(2−1)/2 / 370 GB/s:
        // 2,000,000 B → 11.3054 µs (−43.47 % of 20), 1,000,000 B → 8.6027 µs (−13.97 % of 10); median 28.7 %
        assertThat(lines[0]).isEqualTo("H100_SXM (imported, 2 rows) against the nvlink tier of the default network"
                + " (modeled)");
        assertThat(lines[1]).contains("imported us  modeled us");
        assertThat(lines[2].strip().split("\\s+"))
                .containsExactly("all_reduce", "2", "2", "28.7%", "2000000", "20.00", "11.31", "-43.5%");
        assertThat(lines).hasSize(3);
    }

    /** A B200's rows are checked against its own NVLink5 tier, not H100's NVLink4. */
    @Test
    void aB200ShouldBeCheckedAgainstNvlinkFive() throws IOException {
        // nvlink5: 7.6 µs + 2·(2−1) steps × 1.24 µs + 1,000,000 B × 2·(2−1)/2 / 682 GB/s = 11.546 µs
        String[] lines = checked("B200_SXM,2.29.2,all_reduce,half,2,500000,1.0\n", "--gpu", "B200_SXM");
        assertThat(lines[0]).isEqualTo("B200_SXM (imported, 1 rows) against the nvlink5 tier of the default network"
                + " (modeled)");
        assertThat(lines[2].strip().split("\\s+"))
                .containsExactly("all_reduce", "2", "1", "1054.6%", "1000000", "1.00", "11.55", "+1054.6%");
    }

    /**
     * 16 ranks span two nodes of 8: NCCL's hierarchy, not the NVLink tier alone. 5 µs + 2 node steps x 12 µs + 14 ring
     * steps x 0.8 µs + 536,870,912 B x 2 x 15/16 / 370 GB/s = 2,760.83 µs.
     */
    @Test
    void rowsOfMoreGpusThanANodeShouldCrossNodes() throws IOException {
        String[] lines = checked("H100_SXM,2.29.2,all_reduce,half,16,268435456,5000\n");
        assertThat(lines[0]).isEqualTo("H100_SXM (imported, 1 rows) against the nvlink tier of the default network, its"
                + " infiniband tier across nodes of 8 (modeled)");
        assertThat(lines[2].strip().split("\\s+"))
                .containsExactly("all_reduce", "16", "1", "44.8%", "536870912", "5000.00", "2760.83", "-44.8%");
    }

    /** An A100's NVLink3 is not H100's NVLink4: its rows are refused, not checked against another GPU's links. */
    @Test
    void aGpuWhoseLinksAreNotModeledShouldBeRefused() throws IOException {
        Path csv = Files.writeString(dir.resolve("nccl.csv"), HEADER + "A100_SXM,2.29.2,all_reduce,half,2,256,5.0\n");

        CliRun run = CliRun.of("check-comm", "--nccl", csv.toString(), "--gpu", "A100_SXM");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: --gpu A100_SXM: its links are not modeled (NVLink4 of h100-sxm and"
                + " h200, NVLink5 of b200)" + NL);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "H100_SXM,2.29.2,broadcast,half,2,256,5.0 | :2: column collective: not a collective gemmcost models: 'broadcast'",
            "H100_SXM,2.29.2,all_reduce,half,1,256,5.0 | :2: column num_gpus: must be an integer from 2 to 65536: '1'",
            "H100_SXM,2.29.2,all_reduce,half,0,256,5.0 | :2: column num_gpus: must be an integer from 2 to 65536: '0'",
            "H100_SXM,2.29.2,all_reduce,half,2,0,5.0 | :2: column message_elements: must be an integer from 1 to 2^50:"
                    + " '0'",
            "H100_SXM,2.29.2,all_reduce,half,2,256,NaN | :2: column time_us: not a number: 'NaN'",
            "H100_SXM,2.29.2,all_reduce,half,2,256,0.0001 | :2: column time_us: under 0.24 us, a tenth of the 2.4 us"
                    + " kernel floor no collective beats: not a measurement: '0.0001'",
            "H100_SXM,2.29.2,all_reduce,half,2,256,1e300 | :2: column time_us: over 1.00e+06 us, a 1 s stall and twice"
                    + " its 512 bytes at 1 MB/s: not a measurement (a unit mistake?): '1e300'",
            "H100_SXM,2.29.2,all_reduce,half,2,256 | :2: expected 7 columns, found 6",
            "A100,2.29.2,all_reduce,half,2,256,5.0 | : no rows of gpu 'H100_SXM' (it has 'A100')",
            "\"H100_SXM\",2.29.2,all_reduce,half,2,256,5.0 | :2: quoted fields are not read here: write the values"
                    + " bare"})
    void aBadRowShouldBeRefusedInOneLineNamingItsColumn(String row, String message) throws IOException {
        Path csv = Files.writeString(dir.resolve("nccl.csv"), HEADER + row + "\n");

        CliRun run = CliRun.of("check-comm", "--nccl", csv.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: " + csv + message + NL);
    }

    @Test
    void thePublicNcclTestsOfH100ShouldGiveTwelveGroups() {
        Path nccl = SharedData.commPublic("nccl.csv");

        CliRun run = CliRun.of("check-comm", "--nccl", nccl.toString());

        // 4 collectives × 2, 4, 8 GPUs, in half and int8 (sizes in bytes differ, so both count)
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out().lines().skip(2)).hasSize(12);
    }
}
