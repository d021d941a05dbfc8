package gemmcost.silicon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import gemmcost.BadInputException;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GemmTablesTest {
    @TempDir
    Path dir;

    @Test
    void aTableThatCannotBeMadeShouldBeRefusedOnceAndTheSameWayForEveryRow() throws IOException {
        // two names of one H100 SXM in one source: the import cannot tell which rows are the device's
        Path csv = Files.writeString(dir.resolve("gemm.csv"), "source,gpu,dtype,m,n,k,time_us,notes\n"
                + "aiconfigurator-trtllm,H100_SXM,bf16,1,1024,1024,5.0,\n"
                + "aiconfigurator-trtllm,NVIDIA H100 80GB HBM3,bf16,2,1024,1024,5.0,\n");
        GemmTables tables = new GemmTables(List.of(csv));
        Device h100 = DeviceCatalog.require("h100-sxm");

        BadInputException first = catchThrowableOfType(BadInputException.class,
                () -> tables.costs(h100, "bf16", "trtllm"));
        BadInputException second = catchThrowableOfType(BadInputException.class,
                () -> tables.costs(h100, "bf16", "vllm"));

        assertThat(first).hasMessage(csv + ": rows of several GPU names [H100_SXM, NVIDIA H100 80GB HBM3] of a"
                + " h100-sxm GPU; the file has [H100_SXM, NVIDIA H100 80GB HBM3]");
        assertThat(second).isSameAs(first); // remembered, not imported again
    }
}
