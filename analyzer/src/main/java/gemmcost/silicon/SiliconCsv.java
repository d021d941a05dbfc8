package gemmcost.silicon;

import gemmcost.InputFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads measured serving runs in AIConfigurator's {@code silicon_sample.csv} columns (header exactly
 * {@value #HEADER}); fields never hold commas. A row of the wrong width is refused in one line.
 */
public final class SiliconCsv {
    public static final String HEADER = "id,silicon_data_source,backend,backend_version,model_path,system,precision,"
            + "mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,"
            + "moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,"
            + "prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,"
            + "decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,"
            + "silicon_ttft_ms,silicon_tpot_ms";
    private static final String[] COLUMNS = HEADER.split(",");

    private SiliconCsv() {
    }

    public static List<SiliconRow> read(Path file) {
        List<SiliconRow> rows = new ArrayList<>();
        for (InputFiles.CsvLine line : InputFiles.csv(file, HEADER)) {
            Map<String, String> columns = new HashMap<>();
            for (int i = 0; i < COLUMNS.length; i++)
                columns.put(COLUMNS[i], line.fields()[i].strip());
            rows.add(new SiliconRow(line.where(), columns));
        }
        return rows;
    }
}
