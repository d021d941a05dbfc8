package gemmcost.bench.cli;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Option values the GPU commands share, converted once. */
final class BenchOptions {
    private BenchOptions() {
    }

    /** {@code --dtype} values the bench can measure; fp8 and fp8_block are refused before any GPU is touched. */
    static List<Dtype> dtypes(List<String> names) {
        return dtypes("--dtype", names);
    }

    /** As {@link #dtypes(List)}, for values given as {@code option} (jmh's {@code -p dtype}). */
    static List<Dtype> dtypes(String option, Collection<String> names) {
        List<Dtype> parsed = new ArrayList<>();
        for (String name : names) {
            Dtype dtype = Dtype.require(option, name);
            if (dtype == Dtype.FP8 || dtype == Dtype.FP8_BLOCK) {
                throw new BadInputException(option + " " + dtype.id() + ": not a profile dtype yet (bf16, fp16, tf32,"
                        + " fp32)");
            }
            parsed.add(dtype);
        }
        return parsed;
    }
}
