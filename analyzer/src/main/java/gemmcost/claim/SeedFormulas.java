package gemmcost.claim;

import gemmcost.gettime.GetTime;
import gemmcost.gettime.Label;
import java.util.EnumSet;
import java.util.Set;

/**
 * The seed report's expressions, evaluated literally with a Get_Time (shapes, coefficients, {@code max}es and the
 * placement of Communication_Overhead exactly as written, including their errors):
 * <pre>
 * Total    = 4·[3·GT(M,512,4096) + 8·GT(M,128,2048) + GT(M,512,16384) + GT(M,2048,512)] + comm
 * Optimized= 4·[max(3·GT(M,512,4096), 8·GT(M,128,2048) + 8·GT(M,2048,128)) + GT(M,512,16384) + GT(M,2048,512)] + comm
 * MA       = 4·[max(attn, moe) + comm]
 *   attn   = max(3·GT(M,341,384) + 3·GT(M,128,2048) + 3·GT(M,2048,128) + GT(M,384,341),
 *                2·GT(M,341,256) + 2·GT(M,128,2048) + 2·GT(M,2048,128) + GT(M,256,341))
 *   moe    = GT(M,4096,16) + [GT(M,4096,16384) + GT(M,16384,4096)] + GT(M,4096,4096)
 * </pre>
 * with M = 2,097,152.
 *
 * @param labels the labels of every Get_Time term used
 */
public record SeedFormulas(double baselineTotalUs, double baselineOptimizedUs, double maUs, double attentionUs,
                           double moeUs, double commUs, Set<Label> labels) {
    /** The seed's m: batch 1024 × seq 2048. */
    public static final long M = 2_097_152;

    public SeedFormulas {
        labels = Set.copyOf(labels);
    }

    public static SeedFormulas evaluate(GetTime getTime, double commUs) {
        Set<Label> labels = EnumSet.noneOf(Label.class);
        Terms t = (k, n) -> {
            var e = getTime.estimate(M, k, n);
            labels.add(e.label());
            return e.timeUs();
        };
        double total = 4 * (3 * t.gt(512, 4096) + 8 * t.gt(128, 2048) + t.gt(512, 16384) + t.gt(2048, 512)) + commUs;
        double optimized = 4 * (Math.max(3 * t.gt(512, 4096), 8 * t.gt(128, 2048) + 8 * t.gt(2048, 128))
                + t.gt(512, 16384) + t.gt(2048, 512)) + commUs;
        double attention = Math.max(
                3 * t.gt(341, 384) + 3 * t.gt(128, 2048) + 3 * t.gt(2048, 128) + t.gt(384, 341),
                2 * t.gt(341, 256) + 2 * t.gt(128, 2048) + 2 * t.gt(2048, 128) + t.gt(256, 341));
        double expert = t.gt(4096, 16384) + t.gt(16384, 4096);
        double moe = t.gt(4096, 16) + expert + t.gt(4096, 4096);
        double ma = 4 * (Math.max(attention, moe) + commUs);
        return new SeedFormulas(total, optimized, ma, attention, moe, commUs, labels);
    }

    /** 1 − MA / baseline. */
    public static double reduction(double baselineUs, double maUs) {
        return 1 - maUs / baselineUs;
    }

    @FunctionalInterface
    private interface Terms {
        double gt(long k, long n);
    }
}
