package gemmcost.silicon;

import gemmcost.BadInputException;
import gemmcost.InputFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null || !header.strip().equals(HEADER))
                throw new BadInputException(file + ":1: expected the header " + HEADER + ", found '"
                        + (header == null ? "" : header.strip()) + "'");
            List<SiliconRow> rows = new ArrayList<>();
            long line = 1;
            for (String text; (text = in.readLine()) != null; ) {
                line++;
                if (text.isBlank())
                    continue;
                String[] fields = text.strip().split(",", -1);
                String where = file + ":" + line;
                if (fields.length != COLUMNS.length)
                    throw new BadInputException(where + ": expected " + COLUMNS.length + " columns, found "
                            + fields.length);
                Map<String, String> columns = new HashMap<>();
                for (int i = 0; i < COLUMNS.length; i++)
                    columns.put(COLUMNS[i], fields[i].strip());
                rows.add(new SiliconRow(where, columns));
            }
            if (rows.isEmpty())
                throw new BadInputException(file + ": no rows under the header");
            return rows;
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }
}
