package gemmcost.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.comm.Network;
import gemmcost.cost.CostModels;
import gemmcost.device.Dtype;
import gemmcost.schedule.DagAnalysis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonDagReaderTest {
    @TempDir
    Path dir;

    private Path json(String nodes) throws IOException {
        return Files.writeString(dir.resolve("g.json"), "{\"schema\": \"gemmcost.dag/1\", \"nodes\": [" + nodes
                + "], \"edges\": []}");
    }

    @Test
    void theExampleDiamondShouldReadAsItsFileSays() {
        Dag dag = JsonDagReader.read(Path.of("../examples/diamond.json"));

        assertThat(dag.size()).isEqualTo(5);
        assertThat(dag.edgeCount()).isEqualTo(5);
        assertThat(dag.gpuCount()).isEqualTo(2);
        int b = dag.ids(java.util.List.of(0, 1, 2, 3, 4)).indexOf("b");
        assertThat(dag.work(b)).isEqualTo(new Work.Gemm(4096, 4096, 4096));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"id\": \"a\", \"gpu\": 0, \"gemm\": {\"m\": 4611686018427387904, \"k\": 8, \"n\": 8, \"count\": 4}}"
                + " | $.nodes[0].gemm.count: m × count (4611686018427387904 × 4) overflows a 64-bit integer",
        "{\"id\": \"x\", \"gpus\": [], \"comm\": {\"collective\": \"all_reduce\", \"bytes\": 1024}}"
                + " | $.nodes[0].gpus: a collective needs the GPUs it runs over, got none",
        "{\"id\": \"a\", \"gpu\": 0, \"duration_us\": \"NaN\"} | $.nodes[0].duration_us: must be a number, got \"NaN\"",
        "{\"id\": \"a\", \"gpu\": \"0\", \"duration_us\": 1} | $.nodes[0].gpu: must be a GPU index from 0 to"
                + " 65535, got \"0\"",
        "{\"id\": \"a\", \"gpu\": 0, \"duration_us\": -1} | $.nodes[0].duration_us: must be finite and >= 0, got -1",
        "{\"id\": \"a\", \"gpu\": 65536, \"duration_us\": 1} | $.nodes[0].gpu: must be a GPU index from 0 to 65535,"
                + " got 65536",
        "{\"id\": \"a\", \"gpu\": 0, \"gpus\": [1], \"duration_us\": 1} | $.nodes[0].gpus: a node has one of gpu, gpus"})
    void shouldRefuseWhatCannotBeCostedWithFileLineAndPath(String node, String why) throws IOException {
        Path file = json(node);
        assertThatThrownBy(() -> JsonDagReader.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ":1: " + why);
    }

    @Test
    void duplicateKeysAndContentAfterTheDagShouldBeRefusedNotSilentlyDropped() throws IOException {
        Path twice = Files.writeString(dir.resolve("twice.json"), "{\"nodes\": [{\"id\": \"a\", \"id\": \"b\","
                + " \"gpu\": 0, \"duration_us\": 1}], \"edges\": []}");
        assertThatThrownBy(() -> JsonDagReader.read(twice)).isInstanceOf(BadInputException.class)
                .hasMessage(twice + ":1:28: duplicate key \"id\" in $.nodes[0]");
        Path trailing = Files.writeString(dir.resolve("trailing.json"), "{\"nodes\": [{\"id\": \"a\", \"gpu\": 0,"
                + " \"duration_us\": 1}], \"edges\": []} {\"nodes\": []}");
        assertThatThrownBy(() -> JsonDagReader.read(trailing)).isInstanceOf(BadInputException.class)
                .hasMessage(trailing + ":1: $: content after the DAG's object");
    }

    @Test
    void aSchemaOtherThanTheOneReadShouldBeRefusedAndNoneAccepted() throws IOException {
        String dag = "\"nodes\": [{\"id\": \"a\", \"gpu\": 0, \"duration_us\": 1}], \"edges\": []}";
        Path two = Files.writeString(dir.resolve("two.json"), "{\"schema\": \"gemmcost.dag/2\", " + dag);
        Path number = Files.writeString(dir.resolve("number.json"), "{\"schema\": 1, " + dag);
        Path none = Files.writeString(dir.resolve("none.json"), "{" + dag);

        assertThatThrownBy(() -> JsonDagReader.read(two)).isInstanceOf(BadInputException.class).hasMessage(two
                + ":1: $.schema: gemmcost.dag/2: this gemmcost reads gemmcost.dag/1 (or a DAG without the key)");
        assertThatThrownBy(() -> JsonDagReader.read(number)).isInstanceOf(BadInputException.class).hasMessage(number
                + ":1: $.schema: must be the string \"gemmcost.dag/1\"");
        assertThat(JsonDagReader.read(none).size()).isEqualTo(1);
    }

    @Test
    void durationsThatAddUpBeyondADoubleShouldBeAnInputErrorNotInfinity() throws IOException {
        Path file = Files.writeString(dir.resolve("huge.json"), "{\"schema\": \"gemmcost.dag/1\", \"nodes\": ["
                + "{\"id\": \"a\", \"gpu\": 0, \"duration_us\": 1.7e308}, {\"id\": \"b\", \"gpu\": 0, \"duration_us\":"
                + " 1.7e308}], \"edges\": [[\"a\", \"b\"]]}");
        Dag dag = JsonDagReader.read(file);

        assertThatThrownBy(() -> DagAnalysis.of(dag, CostModels.open("h100-sxm", Dtype.BF16, Network.h100Default())))
                .isInstanceOf(BadInputException.class).hasMessage("the DAG's times add up beyond what a 64-bit float"
                        + " holds (1.8e308 us): its durations are too large to mean anything");
    }
}
