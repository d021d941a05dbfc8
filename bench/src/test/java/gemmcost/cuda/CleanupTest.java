package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Review 11: a trial releases exactly what it made, last first, whatever fails on the way. */
class CleanupTest {
    @Test
    void shouldReleaseWhatWasMadeInReverseAndGoOnPastALostContext() {
        List<String> released = new ArrayList<>();
        NativeBackend.Cleanup cleanup = new NativeBackend.Cleanup();
        cleanup.add("A", released::add);
        cleanup.add("B", b -> {
            released.add(b);
            throw new GpuException("cudaFree: cudaErrorIllegalAddress (700)", false, true);
        });
        cleanup.add("event", released::add);

        cleanup.close();

        assertThat(released).containsExactly("event", "B", "A");
    }

    @Test
    void anyOtherFailureShouldBeRethrownAfterEveryReleaseWasTried() {
        List<String> released = new ArrayList<>();
        NativeBackend.Cleanup cleanup = new NativeBackend.Cleanup();
        cleanup.add("A", released::add);
        cleanup.add("B", b -> {
            throw new IllegalStateException("bug");
        });

        assertThatThrownBy(cleanup::close).hasMessage("bug");
        assertThat(released).containsExactly("A");
    }
}
