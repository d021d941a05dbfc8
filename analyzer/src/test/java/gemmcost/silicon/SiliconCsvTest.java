package gemmcost.silicon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiliconCsvTest {
    /** Every column the runs need, in an order of its own, without id, source, release or precision. */
    private static final String NEEDED = "silicon_tpot_ms,silicon_ttft_ms,model_path,system,backend,mode,isl,osl,"
            + "gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,"
            + "prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,"
            + "prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,"
            + "decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size";
    private static final String PLAN = "org/m,h200_sxm,trtllm,agg,1024,128,,,8,2,1,1,1,1,,,,,,,,,,,,,,";

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("rows.csv"), text);
    }

    @Test
    void columnsShouldBeReadByTheirNamesInAnyOrderWithOthersIgnoredAndQuotedCommasKept() throws IOException {
        Path f = file("\uFEFF" + NEEDED + ",their_prediction_ms,id,silicon_data_source\n"
                + "12.5,250," + PLAN + ",9.75,run-a,\"model=m, r1; silicon_concurrency=16\"\n"
                + "\n"
                + "13,260," + PLAN + ",9.75,,\n");

        List<SiliconRow> rows = SiliconCsv.read(f);

        assertThat(rows).hasSize(2);
        SiliconRow a = rows.getFirst();
        assertThat(a.id()).isEqualTo("run-a");
        assertThat(a.where()).isEqualTo(f + ":2");
        assertThat(a.tpotMs()).isEqualTo(12.5);
        assertThat(a.ttftMs()).isEqualTo(250);
        assertThat(a.text("tp_size")).isEqualTo("2");
        assertThat(a.text("silicon_data_source")).isEqualTo("model=m, r1; silicon_concurrency=16");
        // a run without an id is named by its line (the blank line counts); a column left out reads as empty
        assertThat(rows.get(1).id()).isEqualTo(f + ":4");
        assertThat(rows.get(1).text("backend_version")).isEmpty();
        assertThat(rows.get(1).text("precision")).isEmpty();
    }

    @Test
    void aMissingColumnThatSetsTheRunShouldBeRefusedByName() throws IOException {
        Path f = file(NEEDED.replace(",gemm_quant_mode,moe_quant_mode", "") + "\n1,2\n");

        assertThatThrownBy(() -> SiliconCsv.read(f)).isInstanceOf(BadInputException.class).hasMessage(f + ":1: not"
                + " serving runs in silicon_sample.csv's columns: missing gemm_quant_mode,moe_quant_mode (found '"
                + NEEDED.replace(",gemm_quant_mode,moe_quant_mode", "") + "')");
    }

    @Test
    void malformedFilesShouldBeRefusedInOneLineNamingTheLine() throws IOException {
        assertRefused(NEEDED + "\n12.5,250," + PLAN + "\n1,2\n", ":3: expected 30 columns, found 2");
        assertRefused(NEEDED + ",isl\n", ":1: column isl comes twice");
        // the quote opened on line 3 runs to the end of the file
        assertRefused(NEEDED + ",id\n12.5,250," + PLAN + ",a\n\n13,260," + PLAN + ",\"run-b\n14,270\n",
                ":4: not CSV: Missing closing quote for value");
        assertRefused(NEEDED + ",id\n12.5,250," + PLAN + ",\"a\"b\n", ":2: not CSV: Unexpected character ('b'):"
                + " Expected column separator character (',') or end-of-line");
        assertRefused(NEEDED + ",id\n12.5,250," + PLAN + ",\"run\nb\"\n", ":2: column id holds a line break");
        assertRefused("\n" + NEEDED + ",\"id\n", ":2: not CSV: Missing closing quote for value");
        assertRefused("", ": empty file, expected a header with the columns " + SiliconCsv.HEADER);
        assertRefused(NEEDED + "\n\n", ": no rows under the header");
    }

    @Test
    void aLineOfEmptyFieldsShouldBePassedOverNotReadAsARun() throws IOException {
        Path f = file(NEEDED + "\n12.5,250," + PLAN + "\n" + ",".repeat(29) + "\n");

        assertThat(SiliconCsv.read(f)).hasSize(1);
    }

    @Test
    void lineNumbersShouldCountBlankLinesCrLfAndQuotedLineBreaksInIgnoredColumns() throws IOException {
        Path f = file("\r\n " + NEEDED.replace(",", " , ") + ",note\r\n"
                + "12.5,250," + PLAN + ",\"two\r\nlines\"\r\n"
                + "13, 260 ," + PLAN + ", \"x, y\"\r\n");

        List<SiliconRow> rows = SiliconCsv.read(f);

        assertThat(rows).extracting(SiliconRow::id).containsExactly(f + ":3", f + ":5");
        assertThat(rows.get(1).ttftMs()).isEqualTo(260);
        assertThatThrownBy(() -> SiliconCsv.read(file(" " + NEEDED + "\n13,260\n")))
                .hasMessage(dir.resolve("rows.csv") + ":2: expected 30 columns, found 2");
    }

    private void assertRefused(String text, String message) throws IOException {
        Path f = file(text);
        assertThatThrownBy(() -> SiliconCsv.read(f)).isInstanceOf(BadInputException.class).hasMessage(f + message);
    }
}
