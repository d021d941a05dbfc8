package gemmcost.silicon;

import gemmcost.Numbers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows that repeat an earlier row's measurement: the same model, GPU, engine, mode, isl, osl and measured TTFT and TPOT
 * to the last digit, so one run under another id; {@code underAnotherPlan} of them record another plan than that row
 * (a slip of the data in one of the two). The accuracy figures count every row, repeats included.
 */
public record Repeats(int rows, int underAnotherPlan) {
    private static final List<String> MEASUREMENT = List.of("model_path", "system", "backend", "mode", "isl", "osl",
            "silicon_ttft_ms", "silicon_tpot_ms");
    private static final List<String> PLAN = List.of("tp_size", "pp_size", "attention_dp_size", "moe_tp_size",
            "moe_ep_size", "prefill_num_workers", "prefill_tp_size", "prefill_pp_size", "prefill_attention_dp_size",
            "prefill_moe_tp_size", "prefill_moe_ep_size", "decode_num_workers", "decode_tp_size", "decode_pp_size",
            "decode_attention_dp_size", "decode_moe_tp_size", "decode_moe_ep_size");

    private static final String ONE = Double.toString(1);

    public static Repeats of(List<SiliconRow> rows) {
        Map<List<String>, SiliconRow> first = new HashMap<>();
        int repeats = 0;
        int otherPlan = 0;
        for (SiliconRow row : rows) {
            SiliconRow earlier = first.putIfAbsent(values(row, MEASUREMENT), row);
            if (earlier == null)
                continue;
            repeats++;
            if (!values(earlier, PLAN).equals(values(row, PLAN)))
                otherPlan++;
        }
        return new Repeats(repeats, otherPlan);
    }

    /** The columns' values, a size as its number (empty and 0 both mean one, unsplit, in the plan columns). */
    private static List<String> values(SiliconRow row, List<String> columns) {
        return columns.stream().map(column -> {
            String text = row.text(column);
            boolean plan = PLAN.contains(column);
            if (!Numbers.isDecimal(text))
                return plan && text.isEmpty() ? ONE : text;
            double value = Double.parseDouble(text);
            return plan && value == 0 ? ONE : Double.toString(value);
        }).toList();
    }
}
