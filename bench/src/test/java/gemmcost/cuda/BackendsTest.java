package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void aCublasOlderThan128ShouldBeRefusedOnBlackwellOnly() {
        assertThat(Backends.predatesDevice(device("NVIDIA B200", "10.0", "12.6.4"))).hasValue("cuBLAS 12.6.4 predates"
                + " NVIDIA B200 (compute 10.0), whose kernels came with cuBLAS 12.8");
        assertThat(Backends.predatesDevice(device("NVIDIA B200", "10.0", "12.8.3"))).isEmpty();
        assertThat(Backends.predatesDevice(device("NVIDIA B200", "10.0", "13.0.2"))).isEmpty();
        assertThat(Backends.predatesDevice(device("NVIDIA RTX PRO 6000", "12.0", "11.8.1"))).isPresent();
        // compute 10.3 (B300) came with cuBLAS 12.9
        assertThat(Backends.predatesDevice(device("NVIDIA B300", "10.3", "12.8.4"))).hasValue("cuBLAS 12.8.4 predates"
                + " NVIDIA B300 (compute 10.3), whose kernels came with cuBLAS 12.9");
        assertThat(Backends.predatesDevice(device("NVIDIA B300", "10.3", "12.9.1"))).isEmpty();
        // Hopper has its kernels in every cuBLAS 12; an unreadable version refuses nothing
        assertThat(Backends.predatesDevice(device("NVIDIA H200", "9.0", "12.1.3"))).isEmpty();
        assertThat(Backends.predatesDevice(device("NVIDIA B200", "10.0", "unknown"))).isEmpty();
        assertThat(Backends.predatesDevice(device("NVIDIA B200", null, "12.6.4"))).isEmpty();
    }

    private static DeviceProperties device(String name, String computeCapability, String cublas) {
        return new DeviceProperties(name, computeCapability, 148, 180L << 30, 126L << 20, "13.0", "12.6", cublas,
                "0000:1B:00.0", null, false);
    }
}
