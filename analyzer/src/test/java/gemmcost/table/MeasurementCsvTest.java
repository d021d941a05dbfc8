package gemmcost.table;

import gemmcost.BadInputException;
import gemmcost.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeasurementCsvTest {
    private static final String HEADER = "source,gpu,dtype,m,n,k,time_us,notes\n";

    @TempDir
    Path dir;

    @Test
    void shouldReadRowsMappingTheCsvColumnOrderMNKToTheShape() throws IOException {
        Path file = write(HEADER
                + "vidur,H100,fp16,4096,24576,8192,7306,op=attn_pre_proj;model=Qwen-72B;tp=1;min_us=6548\n"
                + "xla_perf_table,B200,bf16,256,512,1024,4.96,xla_dtype=bf16xbf16->bf16\r\n"
                + "llmcompass,A100,bf16,64,128,128,1.5e2,\n\n"); // a blank line is no row

        List<Measurement> rows = MeasurementCsv.read(file);

        assertThat(rows).containsExactly(
                new Measurement("vidur", "H100", "fp16", new GemmShape(4096, 8192, 24576), 7306,
                        "op=attn_pre_proj;model=Qwen-72B;tp=1;min_us=6548", 2),
                new Measurement("xla_perf_table", "B200", "bf16", new GemmShape(256, 1024, 512), 4.96,
                        "xla_dtype=bf16xbf16->bf16", 3),
                new Measurement("llmcompass", "A100", "bf16", new GemmShape(64, 128, 128), 150, "", 4));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            not a number     | s,G,fp16,1,2,3,abc,x         | :2: column time_us: not a number: 'abc'
            NaN              | s,G,fp16,1,2,3,NaN,x         | :2: column time_us: not a number: 'NaN'
            hex float        | s,G,fp16,1,2,3,0x1p3,x       | :2: column time_us: not a number: '0x1p3'
            padded number    | s,G,fp16,1,2,3, 4.5,x        | :2: column time_us: not a number: ' 4.5'
            empty time       | s,G,fp16,1,2,3,,x            | :2: column time_us: not a number: ''
            zero time        | s,G,fp16,1,2,3,0,x           | :2: column time_us: must be finite and > 0: '0'
            negative time    | s,G,fp16,1,2,3,-2.5,x        | :2: column time_us: must be finite and > 0: '-2.5'
            overflowing time | s,G,fp16,1,2,3,1e999,x       | :2: column time_us: must be finite and > 0: '1e999'
            negative m       | s,G,fp16,-5,2,3,1,x          | :2: column m: must be > 0: '-5'
            zero k           | s,G,fp16,1,2,0,1,x           | :2: column k: must be > 0: '0'
            fractional n     | s,G,fp16,1,2.5,3,1,x         | :2: column n: not an integer: '2.5'
            huge k           | s,G,fp16,1,2,99999999999999999999,1,x | :2: column k: out of range: '99999999999999999999'
            empty gpu        | s,,fp16,1,2,3,1,x            | :2: column gpu: must not be empty: ''
            too few columns  | s,G,fp16,1,2,3,1             | :2: expected 8 columns (source,gpu,dtype,m,n,k,time_us,notes), found 7
            comma in notes   | s,G,fp16,1,2,3,1,a=1,b=2     | :2: expected 8 columns (source,gpu,dtype,m,n,k,time_us,notes), found 9
            """)
    void shouldRejectABadRowNamingFileLineColumnAndValue(String name, String row, String expected)
            throws IOException {
        Path file = write(HEADER + row + "\n");

        assertThatThrownBy(() -> MeasurementCsv.read(file))
                .isInstanceOf(BadInputException.class)
                .hasMessage(file + expected);
    }

    @Test
    void shouldCountLinesFromTheHeader() throws IOException {
        Path file = write(HEADER + "s,G,fp16,1,2,3,1,x\n\ns,G,fp16,1,2,3,1\n");

        // the blank line 3 is skipped, but counted
        assertThatThrownBy(() -> MeasurementCsv.read(file))
                .hasMessage(file + ":4: expected 8 columns (source,gpu,dtype,m,n,k,time_us,notes), found 7");
    }

    /** Review: a quoted field with a comma said only "found 9"; a quote in a row of too few columns is no such case. */
    @Test
    void aQuotedFieldShouldBeToldTheFormatHasNoQuoting() throws IOException {
        Path quoted = write(HEADER + "s,G,fp16,1,2,3,1,\"a,b\"\n");
        assertThatThrownBy(() -> MeasurementCsv.read(quoted)).hasMessage(quoted + ":2: expected 8 columns"
                + " (source,gpu,dtype,m,n,k,time_us,notes), found 9 (the format has no quoting: a field holds no"
                + " comma; notes use ';')");
        Path few = write(HEADER + "s,G,fp16,1,2,3,\"1\"\n");
        assertThatThrownBy(() -> MeasurementCsv.read(few)).hasMessage(few + ":2: expected 8 columns"
                + " (source,gpu,dtype,m,n,k,time_us,notes), found 7");
    }

    @Test
    void shouldRejectAnotherHeader() throws IOException {
        Path file = write("source,gpu,dtype,m,k,n,time_us,notes\n");

        assertThatThrownBy(() -> MeasurementCsv.read(file))
                .isInstanceOf(BadInputException.class)
                .hasMessage(file + ":1: expected the header source,gpu,dtype,m,n,k,time_us,notes,"
                        + " found 'source,gpu,dtype,m,k,n,time_us,notes'");
    }

    @Test
    void shouldRejectAnEmptyFileAndAMissingOne() throws IOException {
        Path empty = write("");
        assertThatThrownBy(() -> MeasurementCsv.read(empty))
                .hasMessage(empty + ": empty file, expected the header source,gpu,dtype,m,n,k,time_us,notes");
        Path absent = dir.resolve("absent.csv");
        assertThatThrownBy(() -> MeasurementCsv.read(absent)).hasMessage(absent + ": no such file");
    }

    @Test
    void shouldReadEverySharedFileCompletely() throws IOException {
        for (String name : List.of("deepbench.csv", "vidur.csv", "neusight.csv", "xla_perf_table.csv",
                "llmcompass.csv")) {
            Path file = SharedData.gemmPublic(name);
            long dataLines;
            try (var lines = Files.lines(file)) {
                dataLines = lines.count() - 1;
            }

            List<Measurement> rows = MeasurementCsv.read(file);

            assertThat(rows).as(name).hasSize((int) dataLines);
            assertThat(rows.getLast().line()).isEqualTo(dataLines + 1);
        }
    }

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("rows.csv"), text);
    }
}
