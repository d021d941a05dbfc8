package gemmcost.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import gemmcost.comm.Collective;
import gemmcost.comm.Network;

import gemmcost.BadInputException;
import gemmcost.dag.Dag;
import gemmcost.dag.DagBuilder;
import gemmcost.dag.Work;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.gettime.Label;
import gemmcost.table.GemmShape;
import gemmcost.table.Measurement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostModelsTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/profile-v1.json");
    private static final String MEASURED_BANDWIDTH = "    \"memory_bandwidth_bytes_per_s\": 2950000000000\n";

    private static Path withoutBandwidth(Path dir) throws IOException {
        Path file = dir.resolve("no-bandwidth.json");
        Files.writeString(file, Files.readString(GOLDEN).replace(",\n" + MEASURED_BANDWIDTH, "\n"));
        assertThat(Files.readString(file)).doesNotContain("memory_bandwidth");
        return file;
    }

    @Test
    void aSmallMemoryOpShouldTakeTheKernelFloorAndAnEmptyOneNothing() {
        CostModel model = CostModels.open("h100-sxm", Dtype.BF16, Network.h100Default());
        DagBuilder b = new DagBuilder();
        int small = b.addNode("small", null, 0, new Work.Memory(1024));
        int empty = b.addNode("empty", null, 0, new Work.Memory(0));
        Dag dag = b.build("test");

        // 1,024 B at 3,350 GB/s is 0.0003 µs; no kernel takes under 2.4 µs
        assertThat(model.cost(dag, small).timeUs()).isEqualTo(2.4);
        assertThat(model.cost(dag, empty).timeUs()).isZero();
    }

    @Test
    void aProfileWithAMeasuredBandwidthCostsMemoryBoundOpsWithItLabelledSo() {
        CostModel model = CostModels.open(GOLDEN.toString(), Dtype.FP16, Network.h100Default());
        // the golden table measured 4096³ at 180.25 µs and a copy bandwidth of 2.95 TB/s
        var e = model.gemm(new GemmShape(4096, 4096, 4096));
        assertThat(e.timeUs()).isEqualTo(180.25);
        assertThat(e.label()).isEqualTo(Label.MEASURED);
        assertThat(model.memory()).isEqualTo(new MemoryBandwidth(2.95e12, Label.MEASURED_BANDWIDTH,
                "measured bandwidth"));
    }

    @Test
    void withoutAMeasuredBandwidthTheCatalogDevicesDatasheetIsModeled(@TempDir Path dir) throws IOException {
        CostModel model = CostModels.open(withoutBandwidth(dir).toString(), Dtype.FP16, Network.h100Default());
        // catalog_id h100-sxm: 3,350 GB/s; 2.95e9 bytes then take 880.6 µs
        assertThat(model.memory()).isEqualTo(new MemoryBandwidth(3350e9, Label.MODELED, "datasheet bandwidth"));
    }

    @Test
    void aMemoryOpTakesItsBytesOverTheBandwidthWithTheBandwidthsLabel() {
        CostModel model = CostModels.open(GOLDEN.toString(), Dtype.FP16, Network.h100Default());
        DagBuilder b = new DagBuilder();
        int v = b.addNode("kv", "kv-read", 0, new Work.Memory(5.9e9));
        var cost = model.cost(b.build("test"), v);
        // 5.9e9 B / 2.95e12 B/s = 2,000 µs
        assertThat(cost.timeUs()).isEqualTo(2000.0);
        assertThat(cost.label()).isEqualTo(Label.MEASURED_BANDWIDTH);
    }

    @Test
    void aMemoryOpUnderTheKernelFloorTakesTheFloorWhichIsModeledWhateverTheBandwidth() {
        CostModel model = CostModels.open(GOLDEN.toString(), Dtype.FP16, Network.h100Default());
        DagBuilder b = new DagBuilder();
        int v = b.addNode("norm", "norm", 0, new Work.Memory(1e6));
        Dag dag = b.build("test");
        var cost = model.cost(dag, v);
        // 1e6 B / 2.95e12 B/s = 0.34 µs, under the 2.4 µs floor no kernel beats
        assertThat(cost).isEqualTo(new CostModel.NodeCost(2.4, Label.MODELED));
        assertThat(model.explain(dag, v)).isEqualTo("1.000e+06 bytes: the 2.4 us kernel floor (modeled)");
    }

    @Test
    void aCollectiveOverOneGpuTakesNothingAndSaysSoRatherThanQuotingItsLink() {
        CostModel model = CostModels.open("h100-sxm", Dtype.BF16, Network.h100Default());
        DagBuilder b = new DagBuilder();
        int v = b.addNode("ar", null, 3, new Work.Comm(Collective.ALL_REDUCE, 1e6));
        Dag dag = b.build("test");

        assertThat(model.cost(dag, v).timeUs()).isZero();
        assertThat(model.explain(dag, v)).isEqualTo(
                "all_reduce of 1.000e+06 bytes over 1 GPU: nothing to exchange, 0 us (modeled)");
        // a send listed on one GPU still crosses to another: costed, and explained by its link
        int send = b.addNode("send", null, 3, new Work.Comm(Collective.SEND_RECV, 1e6));
        Dag withSend = b.build("test");
        assertThat(model.cost(withSend, send).timeUs()).isPositive();
        assertThat(model.explain(withSend, send)).startsWith("send_recv of 1.000e+06 bytes over 1 GPU on ")
                .contains("α–β");
    }

    @Test
    void withoutCatalogIdOrMeasuredBandwidthTheDeviceIsInferredFromItsNameAndSaidSo(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("p.json");
        Files.writeString(file, Files.readString(withoutBandwidth(dir)).replace("\"catalog_id\": \"h100-sxm\",", ""));
        assertThat(Files.readString(file)).doesNotContain("catalog_id");

        CostModel model = CostModels.open(file.toString(), Dtype.FP16, Network.h100Default());

        assertThat(model.memory()).isEqualTo(new MemoryBandwidth(3350e9, Label.MODELED, "datasheet bandwidth"));
        assertThat(model.getTime().source()).endsWith("; memory-bound ops at h100-sxm's datasheet bandwidth, the device"
                + " inferred from the name 'NVIDIA H100 80GB HBM3' (import-csv --device chooses it)");
        // the same device bounds its GEMMs: its fp16 datasheet roofline, not the table's own
        assertThat(model.getTime().source()).doesNotContain("bounded by the table's own roofline");
        assertThat(CostModels.openWithTable(file.toString(), Dtype.FP16, Network.h100Default()).roofline())
                .isEqualTo(DeviceCatalog.require("h100-sxm").roofline(Dtype.FP16).orElseThrow());
    }

    @Test
    void aNameThatMatchesNoCatalogDeviceIsRefusedSayingHowToNameIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.json");
        Files.writeString(file, Files.readString(withoutBandwidth(dir)).replace("\"catalog_id\": \"h100-sxm\",", "")
                .replace("NVIDIA H100 80GB HBM3", "Mystery GPU"));

        assertThatThrownBy(() -> CostModels.open(file.toString(), Dtype.FP16, Network.h100Default()))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(file + ": $.device.catalog_id: missing, no measured"
                        + " $.device.memory_bandwidth_bytes_per_s, and the name 'Mystery GPU' matches no catalog device;"
                        + " memory-bound ops need the device's bandwidth: import the table again with --device ID");
    }

    /**
     * An fp8 model's LM head stays bf16: on a datasheet roofline its 8 × 4096 × 128256 GEMM reads 1.05 GB of bf16
     * weights at 864 GB/s (L40S), 1,216 µs, where the fp8 GEMM beside it reads half. A bf16 model costs both alike.
     */
    @Test
    void anUnquantizedGemmShouldBeCostedInBf16WhateverTheModelsFormat() {
        CostModel fp8 = CostModels.forServing(DeviceCatalog.require("l40s"), "fp8", null, null).model();
        DagBuilder b = new DagBuilder();
        GemmShape head = new GemmShape(8, 4096, 128256);
        int quantized = b.addNode("q", null, 0, new Work.Gemm(head, 1));
        int lmHead = b.addNode("lm_head", null, 0, new Work.Gemm(head, 1, true));
        Dag dag = b.build("test");

        double bytes = (8.0 * 4096 + 4096.0 * 128256 + 8.0 * 128256) * 2;
        assertThat(fp8.cost(dag, lmHead).timeUs()).isCloseTo(bytes / 864e9 * 1e6, within(1e-6));
        assertThat(fp8.cost(dag, quantized).timeUs()).isCloseTo(bytes / 2 / 864e9 * 1e6, within(1e-6));
        assertThat(fp8.explain(dag, lmHead)).startsWith("Get_Time(8, 4096, 128256) in bf16 (unquantized), ");
        assertThat(fp8.getTime().source())
                .contains("; the GEMMs kept in bf16 (LM head, MoE router): modeled: NVIDIA L40S");
        CostModel bf16 = CostModels.forServing(DeviceCatalog.require("l40s"), "bf16", null, null).model();
        assertThat(bf16.cost(dag, lmHead)).isEqualTo(bf16.cost(dag, quantized));
    }

    /** The LM head of an fp8 model from --gemm-csv: the same file's bf16 rows of the GPU, else its bf16 roofline. */
    @Test
    void anFp8TablesLmHeadShouldComeFromTheFilesBf16RowsElseTheRoofline() {
        Path csv = Path.of("gemms.csv");
        Measurement fp8 = new Measurement("x", "H100_SXM", "fp8", new GemmShape(1, 1024, 1024), 10.0, "", 2);
        Measurement bf16 = new Measurement("x", "H100_SXM", "bf16", new GemmShape(1, 1024, 1024), 20.0, "", 3);
        Device h100 = DeviceCatalog.require("h100-sxm");

        assertThat(CostModels.imported(h100, "fp8", csv, List.of(fp8, bf16), null).model().getTime().source())
                .endsWith("; the GEMMs kept in bf16 (LM head, MoE router): imported: gemms.csv (H100_SXM, bf16, 1"
                        + " shapes)");
        assertThat(CostModels.imported(h100, "fp8", csv, List.of(fp8), null).model().getTime().source())
                .endsWith("; the GEMMs kept in bf16 (LM head, MoE router): modeled: NVIDIA H100 SXM5 80GB (h100-sxm),"
                        + " bf16, dense datasheet roofline with a 2.4 us kernel floor, no measured table");
    }

    /** AIConfigurator's A100_SXM rows name no memory size, but no other catalog A100 either: they are the SXM 80 GB's. */
    @Test
    void gemmCsvRowsShouldBeTakenWhereTheirGpuNameMayBeTheDevice() {
        Path csv = Path.of("gemms.csv");
        List<Measurement> rows = List.of(
                new Measurement("x", "A100_SXM", "bf16", new GemmShape(1024, 1024, 1024), 20.0, "", 2),
                new Measurement("x", "H100_SXM", "bf16", new GemmShape(1024, 1024, 1024), 10.0, "", 3));

        CostModels.Opened a100 = CostModels.imported(DeviceCatalog.require("a100-sxm-80gb"), "bf16", csv, rows, null);

        assertThat(a100.table().device().name()).isEqualTo("A100_SXM");
        assertThat(a100.table().entries()).hasSize(1);
        assertThatThrownBy(() -> CostModels.imported(DeviceCatalog.require("h100-pcie"), "bf16", csv, rows, null))
                .isInstanceOf(BadInputException.class)
                .hasMessage("gemms.csv: no rows of a h100-pcie GPU; the file has [A100_SXM, H100_SXM]");
    }
}
