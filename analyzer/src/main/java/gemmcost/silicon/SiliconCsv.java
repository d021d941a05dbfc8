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
 * columns may be left out (read as empty); a line of empty fields is passed over; any other missing column, a row of
 * the wrong width, a field of a column read that holds a line break and a quote never closed are refused in one line
 * naming the file and line.
 */
public final class SiliconCsv {
    public static final String HEADER = "id,silicon_data_source,backend,backend_version,model_path,system,precision,"
            + "mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,"
            + "moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,"
            + "prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,"
            + "decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,"
            + "silicon_ttft_ms,silicon_tpot_ms";
    private static final List<String> COLUMNS = List.of(HEADER.split(","));
    /**
     * What a run can do without: its name (a run without an id is named by its file and line), the source's notes
     * (without them the concurrency is batch_size, and the release where backend_version is empty the current one),
     * the release, and precision, which is not read.
     */
    static final Set<String> OPTIONAL = Set.of("id", "silicon_data_source", "backend_version", "precision");
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES).enable(CsvParser.Feature.TRIM_SPACES).build();

    private SiliconCsv() {
    }

    public static List<SiliconRow> read(Path file) {
        String text = InputFiles.withoutBom(InputFiles.text(file));
        int line = 0; // of the header or the record last begun
        boolean inRecord = false; // a syntax error lies in that record, else in the next line with text
        try (MappingIterator<String[]> records = CSV.readerFor(String[].class).readValues(text)) {
            if (!records.hasNextValue())
                throw new BadInputException(file + ": empty file, expected a header with the columns " + HEADER);
            line = records.getCurrentLocation().getLineNr();
            inRecord = true;
            String[] header = records.nextValue();
            inRecord = false;
            Map<String, Integer> at = columnsAt(file + ":" + line, header);
            List<SiliconRow> rows = new ArrayList<>();
            while (records.hasNextValue()) {
                line = records.getCurrentLocation().getLineNr();
                inRecord = true;
                String where = file + ":" + line;
                String[] fields = records.nextValue();
                inRecord = false;
                if (Arrays.stream(fields).allMatch(String::isBlank))
                    continue;
                if (fields.length != header.length)
                    throw new BadInputException(where + ": expected " + header.length + " columns, found "
                            + fields.length);
                rows.add(new SiliconRow(where, named(where, fields, at)));
            }
            if (rows.isEmpty())
                throw new BadInputException(file + ": no rows under the header");
            return rows;
        } catch (JsonProcessingException e) {
            int errorLine = inRecord ? line : nextLineWithText(text, line);
            throw new BadInputException(file + ":" + errorLine + ": not CSV: "
                    + InputFiles.parserProblem(e.getOriginalMessage()));
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }

    /** The number (from 1) of the first line of {@code text} after line {@code line} that is not blank. */
    private static int nextLineWithText(String text, int line) {
        List<String> lines = text.lines().toList();
        int next = line + 1;
        while (next <= lines.size() && lines.get(next - 1).isBlank())
            next++;
        return next;
    }

    /** Where each column of the header is; refused where a needed one is missing or comes twice. */
    private static Map<String, Integer> columnsAt(String where, String[] header) {
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            String name = header[i].strip();
            if (COLUMNS.contains(name) && at.put(name, i) != null)
                throw new BadInputException(where + ": column " + name + " comes twice");
        }
        Set<String> missing = new LinkedHashSet<>(COLUMNS);
        missing.removeAll(at.keySet());
        missing.removeAll(OPTIONAL);
        if (!missing.isEmpty())
            throw new BadInputException(where + ": not serving runs in silicon_sample.csv's columns: missing "
                    + String.join(",", missing) + " (found '" + String.join(",", header) + "')");
        return at;
    }

    private static Map<String, String> named(String where, String[] fields, Map<String, Integer> at) {
        Map<String, String> columns = new HashMap<>();
        for (String column : COLUMNS) {
            Integer i = at.get(column);
            String value = i == null ? "" : fields[i].strip();
            if (value.contains("\n") || value.contains("\r"))
                throw new BadInputException(where + ": column " + column + " holds a line break");
            columns.put(column, value);
        }
        if (columns.get("id").isEmpty())
            columns.put("id", where);
        return columns;
    }
}
