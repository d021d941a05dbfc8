package gemmcost.bench;

import gemmcost.cuda.Backends;
import gemmcost.cuda.CudaProbe;
import gemmcost.cuda.GemmBackend;
import java.nio.file.Path;
import java.util.Optional;

/** The contract over the real JCuda backend: on this GPU-less machine, its refusal comes from JCuda's natives. */
class JcudaBackendContractTest extends GemmBackendContract {
    @Override
    Optional<String> unavailable() {
        return Backends.jcudaProblem(null);
    }

    @Override
    GemmBackend open() {
        return Backends.open(Backends.Choice.JCUDA, CudaProbe.run((Path) null), 0).backend();
    }
}
