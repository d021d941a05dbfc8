package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DevicePropertiesTest {
    private static DeviceProperties withL2(long l2Bytes) {
        return new DeviceProperties("GPU", "9.0", 132, 80L << 30, l2Bytes, null, null, null, null, null, false);
    }

    @Test
    void theFlushShouldBeTwiceTheL2ButNeverBelow256MiB() {
        assertThat(withL2(50L << 20).l2FlushBytes()).isEqualTo(256L << 20);   // H100: 2 × 50 MiB < 256 MiB
        assertThat(withL2(200L << 20).l2FlushBytes()).isEqualTo(400L << 20);  // a larger L2 sets the size
    }
}
