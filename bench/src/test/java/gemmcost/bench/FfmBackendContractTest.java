package gemmcost.bench;

import gemmcost.cuda.Backends;
import gemmcost.cuda.CudaProbe;
import gemmcost.cuda.GemmBackend;
import java.nio.file.Path;
import java.util.Optional;

/** The contract over the real FFM backend: on this GPU-less machine, its refusal comes from the real libcudart. */
class FfmBackendContractTest extends GemmBackendContract {
    @Override
    Optional<String> unavailable() {
        return CudaProbe.run((Path) null).problem();
    }

    @Override
    GemmBackend open() {
        return Backends.open(Backends.Choice.FFM, CudaProbe.run((Path) null), 0).backend();
    }
}
