package gemmcost.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import gemmcost.gettime.Label;
import gemmcost.table.GemmShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostModelsTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/profile-v1.json");

    @Test
    void aProfileFileGivesItsTableAndItsCatalogDevicesBandwidth() {
        CostModel model = CostModels.open(GOLDEN.toString(), Dtype.FP16, Network.h100Default());
        // the golden table measured 4096³ at 180.25 µs; its catalog_id h100-sxm has 3,350 GB/s
        var e = model.gemm(new GemmShape(4096, 4096, 4096));
        assertThat(e.timeUs()).isEqualTo(180.25);
        assertThat(e.label()).isEqualTo(Label.MEASURED);
        assertThat(model.memoryBandwidthBytesPerSec()).isEqualTo(3350e9);
    }

    @Test
    void aProfileWithoutCatalogDeviceIsRefusedForMemoryBoundOps(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.json");
        Files.writeString(file, Files.readString(GOLDEN).replace("\"catalog_id\": \"h100-sxm\",", ""));
        assertThat(Files.readString(file)).doesNotContain("catalog_id");
        assertThatThrownBy(() -> CostModels.open(file.toString(), Dtype.FP16, Network.h100Default()))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(file + ": $.device.catalog_id: missing; memory-bound ops need");
    }
}
