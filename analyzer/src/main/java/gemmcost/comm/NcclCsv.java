package gemmcost.comm;

import gemmcost.BadInputException;
import gemmcost.Numbers;
import gemmcost.InputFiles;
import gemmcost.Limits;
import gemmcost.gettime.RooflineGetTime;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads nccl-tests timings in the CSV of {@code ../shared/data/comm-public/} (header exactly {@value #HEADER}):
 * {@code message_elements} is nccl-tests' size in bytes over the element size ({@code half} 2 bytes, {@code int8} 1).
 * Every bad row is one line {@code FILE:LINE: column NAME: problem: 'value'}.
 */
public final class NcclCsv {
    public static final String HEADER = "gpu,nccl_version,collective,dtype,num_gpus,message_elements,time_us";
    private static final String[] COLUMNS = HEADER.split(",");

    /** One timing: {@code bytes} is the nccl-tests size. */
    public record Row(String gpu, Collective collective, int ranks, long bytes, double timeUs) {
    }

    /**
     * A collective runs at least one kernel on every rank: a time under a tenth of the kernel floor no GPU kernel beats
     * ({@link RooflineGetTime#KERNEL_FLOOR_US}) is no measurement (a unit mistake: ms or s written as µs, say).
     */
    static final double LEAST_US = RooflineGetTime.KERNEL_FLOOR_US / 10;

    /**
     * Nor is a time over a 1 s stall plus twice the message (what a ring sends per rank) at 1 MB/s, far slower than
     * any link between GPUs (PCIe 1.0 x1 moves 250 MB/s): {@code 1e300} is a typo or a unit mistake.
     */
    static final double SLOWEST_LINK_BYTES_PER_SEC = 1e6;
    static final double MOST_STALL_US = 1e6;

    private NcclCsv() {
    }

    public static List<Row> read(Path file) {
        return InputFiles.csv(file, HEADER).stream().map(line -> row(line.where(), line.fields())).toList();
    }

    private static Row row(String where, String[] f) {
        Collective collective = switch (f[2]) {
            case "all_gather" -> Collective.ALL_GATHER;
            case "all_reduce" -> Collective.ALL_REDUCE;
            case "reduce_scatter" -> Collective.REDUCE_SCATTER;
            case "alltoall" -> Collective.ALL_TO_ALL;
            default -> throw bad(where, 2, "not a collective gemmcost models", f[2]);
        };
        int elementBytes = switch (f[3]) {
            case "half", "bfloat16" -> 2;
            case "int8", "uint8", "fp8" -> 1;
            case "float" -> 4;
            default -> throw bad(where, 3, "unknown element type", f[3]);
        };
        long ranks = number(where, 4, f[4], 2, Limits.MAX_GPUS);
        long elements = number(where, 5, f[5], 1, 1L << 50);
        if (!Numbers.isDecimal(f[6]))
            throw bad(where, 6, "not a number", f[6]);
        double timeUs = Double.parseDouble(f[6]);
        if (!(Double.isFinite(timeUs) && timeUs > 0))
            throw bad(where, 6, "must be finite and > 0", f[6]);
        if (timeUs < LEAST_US)
            throw bad(where, 6, String.format(Locale.ROOT, "under %.2f us, a tenth of the %.1f us kernel floor no"
                    + " collective beats: not a measurement", LEAST_US, RooflineGetTime.KERNEL_FLOOR_US), f[6]);
        long bytes = Math.multiplyExact(elements, elementBytes);
        double mostUs = MOST_STALL_US + 2.0 * bytes / SLOWEST_LINK_BYTES_PER_SEC * 1e6;
        if (timeUs > mostUs)
            throw bad(where, 6, String.format(Locale.ROOT, "over %.3g us, a 1 s stall and twice its %d bytes at 1 MB/s:"
                    + " not a measurement (a unit mistake?)", mostUs, bytes), f[6]);
        return new Row(f[0], collective, (int) ranks, bytes, timeUs);
    }

    /** An integer of the column's range, or one line naming it with that range ({@code 2^50} written so). */
    private static long number(String where, int column, String text, long least, long most) {
        try {
            long value = Long.parseLong(text);
            if (value >= least && value <= most)
                return value;
        } catch (NumberFormatException e) {
            // refused below, as a value out of range is
        }
        throw bad(where, column, "must be an integer from " + least + " to " + (most == 1L << 50 ? "2^50" : most),
                text);
    }

    private static BadInputException bad(String where, int column, String problem, String value) {
        return new BadInputException(where + ": column " + COLUMNS[column] + ": " + problem + ": '" + value + "'");
    }
}
