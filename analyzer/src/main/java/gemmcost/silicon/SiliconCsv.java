package gemmcost.silicon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import gemmcost.BadInputException;
import gemmcost.InputFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads measured serving runs in AIConfigurator's {@code silicon_sample.csv} columns ({@value #HEADER}), by the names
 * in the file's header: in any order, quoted where a field holds a comma, other columns ignored. {@link #OPTIONAL}
 * columns may be left out (read as empty; a run without an id is named by its line); any other missing column, and a
 * row of the wrong width, is refused in one line.
 */
public final class SiliconCsv {
    public static final String HEADER = "id,silicon_data_source,backend,backend_version,model_path,system,precision,"
            + "mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,"
            + "moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,"
            + "prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,"
            + "decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,"
            + "silicon_ttft_ms,silicon_tpot_ms";
    private static final List<String> COLUMNS = List.of(HEADER.split(","));
    /** What a run can do without: a name, the source's notes (its concurrency else batch_size), the release. */
    static final Set<String> OPTIONAL = Set.of("id", "silicon_data_source", "backend_version", "precision");
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES).build();

    private SiliconCsv() {
    }

    public static List<SiliconRow> read(Path file) {
        String text = InputFiles.text(file).replace("\uFEFF", "");
        try (MappingIterator<String[]> lines = CSV.readerFor(String[].class).readValues(text)) {
            if (!lines.hasNextValue())
                throw new BadInputException(file + ": empty file, expected a header with the columns " + HEADER);
            Map<String, Integer> at = columnsAt(file, lines.nextValue());
            List<SiliconRow> rows = new ArrayList<>();
            while (lines.hasNextValue()) {
                String where = file + ":" + lines.getCurrentLocation().getLineNr();
                String[] fields = lines.nextValue();
                if (fields.length == 1 && fields[0].isBlank())
                    continue;
                if (fields.length != at.size())
                    throw new BadInputException(where + ": expected " + at.size() + " columns, found " + fields.length);
                rows.add(new SiliconRow(where, named(where, fields, at)));
            }
            if (rows.isEmpty())
                throw new BadInputException(file + ": no rows under the header");
            return rows;
        } catch (JsonProcessingException e) {
            String line = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
            throw new BadInputException(file + line + ": not CSV: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }

    /** Where each column of the header is; refused where a needed one is missing or a name comes twice. */
    private static Map<String, Integer> columnsAt(Path file, String[] header) {
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < header.length; i++)
            if (at.put(header[i].strip(), i) != null)
                throw new BadInputException(file + ":1: column " + header[i].strip() + " comes twice");
        Set<String> missing = new LinkedHashSet<>(COLUMNS);
        missing.removeAll(at.keySet());
        missing.removeAll(OPTIONAL);
        if (!missing.isEmpty())
            throw new BadInputException(file + ":1: not serving runs in silicon_sample.csv's columns: missing "
                    + String.join(",", missing) + " (found '" + String.join(",", Arrays.asList(header)) + "')");
        return at;
    }

    private static Map<String, String> named(String where, String[] fields, Map<String, Integer> at) {
        Map<String, String> columns = new HashMap<>();
        for (String column : COLUMNS) {
            Integer i = at.get(column);
            columns.put(column, i == null ? "" : fields[i].strip());
        }
        if (columns.get("id").isEmpty())
            columns.put("id", where);
        return columns;
    }
}
