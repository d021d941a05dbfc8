package gemmcost.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.claim.SeedDeployments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeploymentReaderTest {
    private static final Path EXAMPLES = Path.of("../examples");

    @TempDir
    Path dir;

    @Test
    void shippedExamplesAreTheBuiltInSeedDeployments() {
        assertThat(DeploymentReader.read(EXAMPLES.resolve("seed-baseline-tp8pp2.json")))
                .isEqualTo(SeedDeployments.baseline(Plan.Mlp.DENSE, Phase.DECODE));
        assertThat(DeploymentReader.read(EXAMPLES.resolve("baseline-tp8pp2-moe.json")))
                .isEqualTo(SeedDeployments.baseline(Plan.Mlp.MOE, Phase.DECODE));
        assertThat(DeploymentReader.read(EXAMPLES.resolve("seed-ma-separation.json")))
                .isEqualTo(SeedDeployments.maSeparation(Phase.DECODE));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"tp\": 8|\"tp\": 3|$.plan.tp: 3 does not divide model.heads = 32",
            "\"pp\": 2|\"pp\": 3|$.plan.pp: 3 does not divide model.layers = 4",
            "\"pp\": 2|\"pp\": 4|$.plan: tp × pp = 8 × 4 = 32 GPUs, more than gpus = 16",
            "\"mlp\": \"dense\"|\"mlp\": \"sparse\"|$.plan.mlp: sparse: must be dense (as the seed costs it) or moe (as the model is)",
            "\"hidden\": 4096|\"hiden\": 4096|$.model.hiden: unknown key (known: layers, hidden, heads, head_dim, seq_len, batch, vocab, experts, expert_hidden, top_k, dtype, activation)",
            "\"top_k\": 2|\"top_k\": 17|$.model.top_k: 17 is more than model.experts = 16",
            "\"phase\": \"decode\"|\"phase\": \"training\"|$.phase: training: must be prefill or decode",
            "\"layers\": 4|\"layers\": 1000000|$.model.layers: 1000000: at most 1024",
            "\"micro_batches\": 1|\"micro_batches\": 5000|$.plan.micro_batches: 5000: at most 1024",
            "\"batch\": 1024|\"batch\": 1099511627776|$.model.batch: 1099511627776: must be an integer from 1 to"
                    + " 2147483647",
            "\"batch\": 1024|\"batch\": 0|$.model.batch: 0: must be an integer from 1 to 2147483647",
            "\"gpus\": 16|\"gpus\": 2147483647|$.gpus: 2147483647: at most 65536",
            "\"gpus_per_node\": 8|\"gpus_per_node\": 8, \"intra_node\": {\"busbw_gb_per_s\": 100}|"
                    + "$.network.intra_node.busbw_gb_per_s: must be an object (keys: all_reduce, all_gather,"
                    + " reduce_scatter, all_to_all, broadcast, send_recv, m_to_n)",
            "\"gpus_per_node\": 8|\"gpus_per_node\": 8, \"intra_node\": {\"busbw_gb_per_s\": {\"all_reduce\": -5}}|"
                    + "$.network.intra_node.busbw_gb_per_s.all_reduce: -5: must be a number > 0",
            "\"gpus_per_node\": 8|\"gpus_per_node\": 8, \"intra_node\": {\"busbw_gb_per_s\": {\"all_reduce\": 0}}|"
                    + "$.network.intra_node.busbw_gb_per_s.all_reduce: 0: must be a number > 0",
            "\"gpus_per_node\": 8|\"gpus_per_node\": 8, \"intra_node\": {\"base_latency_us\": 1e308}|"
                    + "$.network.intra_node.base_latency_us: 1.0E308: over 1 s (1000000 us), no link's latency (a unit"
                    + " mistake?)",
            "gemmcost.deployment/1|gemmcost.deployment/2|$.schema: gemmcost.deployment/2: this gemmcost reads"
                    + " gemmcost.deployment/1 (or a config without the key)"})
    void shouldRefuseAnImpossibleBaselineNamingFieldAndValue(String from, String to, String message) throws IOException {
        Path file = edited("seed-baseline-tp8pp2.json", from, to);
        assertThatThrownBy(() -> DeploymentReader.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": " + message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2, 2, 2, 2]}|2, 2, 2, 3]}|$.plan.attention.heads: [3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 3] sum to 33, but model.heads = 32",
            "[12, 13, 14, 15]|[12, 13, 14, 16]|$.plan: GPU 16 does not exist: gpus = 16 (GPUs are 0 … 15)",
            "[12, 13, 14, 15]|[11, 13, 14, 15]|$.plan: GPU 11 is listed twice",
            "\"imbalance\": 1.0|\"imbalance\": 0.5|$.plan.imbalance: 0.5: must be a number >= 1 (busiest expert's"
                    + " tokens over the mean)",
            "\"imbalance\": 1.0|\"imbalance\": -1|$.plan.imbalance: -1: must be a number >= 1 (busiest expert's"
                    + " tokens over the mean)"})
    void shouldRefuseAnImpossibleMaPlan(String from, String to, String message) throws IOException {
        Path file = edited("seed-ma-separation.json", from, to);
        assertThatThrownBy(() -> DeploymentReader.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": " + message);
    }

    @Test
    void aDuplicateKeyShouldBeRefusedWithItsLineNotTheLastOneWinning() throws IOException {
        Path file = edited("seed-baseline-tp8pp2.json", "\"layers\": 4", "\"layers\": 4, \"layers\": 8");
        assertThatThrownBy(() -> DeploymentReader.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ":7:26: duplicate key \"layers\" in $.model");
    }

    @Test
    void aSecondObjectAfterTheConfigShouldBeRefusedNotIgnored() throws IOException {
        Path file = dir.resolve("two.json");
        Files.writeString(file, Files.readString(EXAMPLES.resolve("seed-baseline-tp8pp2.json")).strip() + " {}");
        assertThatThrownBy(() -> DeploymentReader.read(file)).isInstanceOf(BadInputException.class)
                .hasMessageEndingWith(": not valid JSON: unexpected content after the end of the JSON value");
    }

    private Path edited(String example, String from, String to) throws IOException {
        String text = Files.readString(EXAMPLES.resolve(example));
        assertThat(text).contains(from);
        Path file = dir.resolve(example);
        Files.writeString(file, text.replace(from, to));
        return file;
    }
}
