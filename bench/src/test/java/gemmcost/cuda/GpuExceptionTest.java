package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which CUDA errors leave the context lost: the ones CUDA 13.0's driver_types.h says need a relaunched process. */
class GpuExceptionTest {
    @ParameterizedTest
    @CsvSource({"226, true", "700, true", "719, true", "721, true", "810, true", "911, true", "214, true",
            "2, false", "1, false", "101, false", "720, false"})
    void shouldCallAnErrorStickyOnlyWhereTheProcessMustBeRelaunched(int error, boolean sticky) {
        GpuException e = GpuException.ofCudaError("cudaEventSynchronize: error " + error, error);

        assertThat(e.sticky()).isEqualTo(sticky);
        assertThat(e.outOfMemory()).isEqualTo(error == 2);
    }
}
