package gemmcost.silicon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepeatsTest {
    private static SiliconRow row(String id, String... pairs) {
        Map<String, String> columns = new HashMap<>();
        for (String column : SiliconCsv.HEADER.split(","))
            columns.put(column, "");
        columns.putAll(Map.of("id", id, "backend", "sglang", "model_path", "org/m", "system", "b200_sxm", "mode",
                "agg", "isl", "1024", "osl", "1024", "silicon_ttft_ms", "978.4", "silicon_tpot_ms", "12.5",
                "tp_size", "4"));
        for (int i = 0; i < pairs.length; i += 2)
            columns.put(pairs[i], pairs[i + 1]);
        return new SiliconRow("rows.csv:" + id, columns);
    }

    @Test
    void aRunUnderAnotherIdShouldCountAsARepeatAndAnotherPlanBeSaid() {
        List<SiliconRow> rows = List.of(
                row("a", "moe_ep_size", "4"),
                // the same run: its sizes written otherwise (978.40 ms; moe_tp empty, 0 and 1 all unsplit)
                row("b", "silicon_ttft_ms", "978.40", "moe_tp_size", "0", "moe_ep_size", "4.0", "pp_size", "1"),
                // the same run recorded on 16 GPUs: another plan
                row("c", "tp_size", "16", "moe_tp_size", "4", "moe_ep_size", "4"),
                // another run: its TPOT differs in the last digit
                row("d", "silicon_tpot_ms", "12.6", "moe_ep_size", "4"));

        assertThat(Repeats.of(rows)).isEqualTo(new Repeats(2, 1));
        assertThat(Repeats.of(List.of(rows.get(3)))).isEqualTo(new Repeats(0, 0));
    }
}
