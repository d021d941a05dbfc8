package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import gemmcost.cuda.Backends;
import gemmcost.cuda.CudaProbe;
import gemmcost.cuda.GemmBackend;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The contract over the real FFM backend on gemmcost's CUDA stand-in: every line of the FFM path runs (loading,
 * device properties, trials, the timed launch, the correctness multiply, out of memory) against libraries that
 * behave as CUDA's do, without a GPU.
 */
class StandinBackendContractTest extends GemmBackendContract {
    /** 16-bit inputs with fp32 accumulation on the stand-in's virtual clock (the H100 SXM's dense datasheet peak). */
    private static final double PEAK_16BIT_FLOPS = 989.4e12;

    @Override
    Optional<String> unavailable() {
        return CudaProbe.run(CudaStandin.libraries()).problem();
    }

    @Override
    GemmBackend open() {
        return Backends.open(Backends.Choice.FFM, CudaProbe.run(CudaStandin.libraries()), 0)
                .backend();
    }

    @Test
    void theStandInShouldSayPlainlyThatItIsASimulation() {
        try (GemmBackend backend = open()) {
            assertThat(backend.device().simulated()).isTrue();
            assertThat(backend.device().name()).contains("stand-in");
            assertThat(backend.device().uuid()).startsWith("GPU-");
        }
    }

    /** The flush is queued before the start event: the events hold the GEMM alone, 2mnk / peak on the virtual clock. */
    @Test
    void theTimedLaunchShouldHoldTheGemmAloneNotTheL2Flush() {
        GemmShape shape = new GemmShape(4096, 4096, 4096);
        try (GemmBackend backend = open(); GemmBackend.GemmTrial trial = backend.open(shape, Dtype.BF16)) {
            double expectedUs = shape.flops() / PEAK_16BIT_FLOPS * 1e6; // 138.9 µs
            for (int i = 0; i < 3; i++) {
                assertThat(trial.launchUs()).isCloseTo(expectedUs, within(expectedUs * 1e-6));
            }
            assertThat(trial.syncOnlyUs()).isZero();
        }
    }

    /** A copy of B bytes reads and writes B bytes: 2B at the stand-in's 3.35 TB/s. */
    @Test
    void aCopyTrialShouldTimeOneDeviceToDeviceCopy() {
        long bytes = 1L << 30;
        try (GemmBackend backend = open(); GemmBackend.GemmTrial trial = backend.openCopy(bytes)) {
            double expectedUs = 2.0 * bytes / 3.35e12 * 1e6;
            assertThat(trial.launchUs()).isCloseTo(expectedUs, within(expectedUs * 1e-6));
        }
    }
}
