package gemmcost.search;

import gemmcost.model.Plan;
import java.util.ArrayList;
import java.util.List;

/** Short descriptions of plans: {@code TP8 x PP2, 1 micro-batch, experts} or {@code MA 12+4, heads 3x8 2x4, …}. */
public final class PlanText {
    private PlanText() {
    }

    public static String describe(Plan plan) {
        return switch (plan) {
            case Plan.TpPp p -> "TP" + p.tp() + " x PP" + p.pp() + ", " + microBatches(p.microBatches()) + ", "
                    + (p.mlp() == Plan.Mlp.MOE ? "experts" : "dense MLP");
            case Plan.MaSeparation ma -> "MA " + ma.attentionGpus().size() + "+" + ma.moeGpus().size() + ", heads "
                    + runs(ma.heads()) + ", experts " + runs(ma.experts()) + ", " + microBatches(ma.microBatches());
        };
    }

    private static String microBatches(int count) {
        return count + (count == 1 ? " micro-batch" : " micro-batches");
    }

    /** {@code [3,3,3,2,2]} as {@code 3x3 2x2}. */
    static String runs(List<Integer> values) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < values.size(); ) {
            int j = i;
            while (j < values.size() && values.get(j).equals(values.get(i)))
                j++;
            parts.add(values.get(i) + "x" + (j - i));
            i = j;
        }
        return String.join(" ", parts);
    }
}
