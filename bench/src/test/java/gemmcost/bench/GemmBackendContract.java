package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import gemmcost.BadInputException;
import gemmcost.cuda.DeviceProperties;
import gemmcost.cuda.GemmBackend;
import gemmcost.cuda.GpuException;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every {@link GemmBackend} must do, run over each one. Without a usable GPU the GPU part skips (JUnit reports
 * it as skipped, with the reason) and the refusal is checked instead.
 */
abstract class GemmBackendContract {
    /** Why this backend cannot run here, or empty when it can. */
    abstract Optional<String> unavailable();

    abstract GemmBackend open();

    private GemmBackend openOrSkip() {
        Optional<String> why = unavailable();
        assumeThat(why).as("skipped, no usable GPU: %s", why.orElse("")).isEmpty();
        return open();
    }

    @Test
    void withoutAGpuShouldRefuseToOpenWithTheOneLineReason() {
        Optional<String> why = unavailable();
        assumeThat(why).as("skipped: this machine has a usable GPU").isPresent();

        assertThatThrownBy(this::open).isInstanceOf(BadInputException.class).hasMessage(why.orElseThrow());
    }

    @ParameterizedTest
    @EnumSource(value = Dtype.class, names = {"BF16", "FP16", "TF32", "FP32"})
    void shouldMatchTheFp64CpuReference(Dtype dtype) {
        try (GemmBackend backend = openOrSkip()) {
            CorrectnessCheck.Result result = CorrectnessCheck.run(backend, dtype, 7);

            assertThat(result.passed()).as(result.describe()).isTrue();
        }
    }

    @Test
    void shouldDescribeTheDevice() {
        try (GemmBackend backend = openOrSkip()) {
            DeviceProperties d = backend.device();

            assertThat(d.name()).isNotBlank();
            assertThat(d.memoryBytes()).isGreaterThan(1L << 30);
            assertThat(d.l2Bytes()).isGreaterThan(1L << 20);
            assertThat(d.computeCapability()).matches("\\d+\\.\\d+");
            assertThat(d.pciBusId()).matches("[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-9A-Fa-f]");
        }
    }

    /** 4096³ bf16: never faster than the datasheet allows, and repeatable within 20 %. */
    @Test
    void shouldTimeALaunchNoFasterThanTheDatasheet() {
        GemmShape shape = new GemmShape(4096, 4096, 4096);
        try (GemmBackend backend = openOrSkip(); GemmBackend.GemmTrial trial = backend.open(shape, Dtype.BF16)) {
            for (int i = 0; i < 3; i++) {
                trial.launchUs();
            }
            double[] us = new double[11];
            for (int i = 0; i < us.length; i++) {
                us[i] = trial.launchUs();
            }
            Arrays.sort(us);
            double median = us[us.length / 2];
            Optional<Double> speedOfLightUs = DeviceCatalog.matchName(backend.device().name())
                    .flatMap(d -> d.roofline(Dtype.BF16)).map(r -> r.timeUs(shape));

            assertThat(us[0]).isGreaterThan(0);
            speedOfLightUs.ifPresent(sol -> assertThat(median).isGreaterThanOrEqualTo(sol));
            assertThat(us[us.length - 1]).isLessThan(1.2 * us[0]);
        }
    }

    @Test
    void anAllocationTooLargeShouldBeAnOutOfMemoryGpuExceptionAndLeaveTheBackendUsable() {
        try (GemmBackend backend = openOrSkip()) {
            long rows = backend.device().memoryBytes() / (2 * 8192) + 1; // A alone exceeds memory
            GemmShape tooLarge = new GemmShape(rows, 8192, 8192);

            assertThatThrownBy(() -> backend.open(tooLarge, Dtype.BF16).close()).isInstanceOf(GpuException.class)
                    .satisfies(e -> assertThat(((GpuException) e).outOfMemory()).isTrue());
            assertThat(CorrectnessCheck.run(backend, Dtype.FP32, 1).passed()).isTrue();
        }
    }
}
