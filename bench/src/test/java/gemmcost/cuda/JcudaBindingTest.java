package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import gemmcost.BadInputException;
import java.nio.file.Path;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JCuda's real natives on this machine: they load, find no driver, and cannot find cuBLAS 12. */
class JcudaBindingTest {
    @Test
    void shouldReportNoGpuFromJcudasOwnStaticRuntime() {
        CudaProbe.Result probe = CudaProbe.run((Path) null);
        assumeThat(probe.driverVersion()).as("skipped: this machine has a CUDA driver").isZero();

        assertThat(Backends.jcudaProblem(null))
                .contains("no GPU: cudaGetDeviceCount returned cudaErrorInsufficientDriver (35)");
    }

    @Test
    void autoShouldGiveTheProbesLineAloneWhenBothBackendsLackTheGpu() {
        CudaProbe.Result probe = CudaProbe.run((Path) null);
        assumeThat(probe.driverVersion()).as("skipped: this machine has a CUDA driver").isZero();
        assumeThat(probe.cudart()).as("skipped: no libcudart here").isPresent();

        assertThatThrownBy(() -> Backends.open(Backends.Choice.AUTO, probe, 0))
                .isInstanceOf(BadInputException.class).hasMessage(probe.problem().orElseThrow());
    }

    @Test
    void shouldReduceJcublasLoadFailureToTheLineNamingTheMissingLibrary(@TempDir Path natives) {
        assumeThat(LibraryLocator.system(null).find("libcublas.so.12")).as("skipped: cuBLAS 12 is here").isEmpty();
        String tmp = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", natives.toString());
        Throwable failure;
        try {
            failure = catchThrowable(() -> JCublas2.cublasCreate(new cublasHandle()));
        } finally {
            System.setProperty("java.io.tmpdir", tmp);
        }

        assertThat(failure).isInstanceOfAny(UnsatisfiedLinkError.class, NoClassDefFoundError.class);
        assumeThat(failure).as("skipped: JCublas2 already failed to load earlier in this JVM")
                .isInstanceOf(UnsatisfiedLinkError.class);
        assertThat(JcudaBinding.linkProblem(failure)).endsWith("libcublas.so.12: cannot open shared object file:"
                + " No such file or directory");
    }

    @Test
    void shouldKeepTheFirstLineOfAnUnrecognisedFailure() {
        assertThat(JcudaBinding.linkProblem(new UnsatisfiedLinkError("first\nsecond"))).isEqualTo("first");
    }
}
