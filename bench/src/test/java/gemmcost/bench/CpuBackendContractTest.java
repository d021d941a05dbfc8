package gemmcost.bench;

import gemmcost.cuda.DeviceProperties;
import gemmcost.cuda.GemmBackend;
import gemmcost.cuda.GpuException;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.device.Roofline;
import gemmcost.table.GemmShape;
import java.util.Optional;

/**
 * The contract over a CPU stand-in that behaves as a backend should (output rounded to the dtype, times 25 % above
 * the H100 roofline, allocations beyond 80 GB refused): the GPU part of the contract runs here, so its assertions
 * are known to be satisfiable and to exercise something.
 */
class CpuBackendContractTest extends GemmBackendContract {
    @Override
    Optional<String> unavailable() {
        return Optional.empty();
    }

    @Override
    GemmBackend open() {
        return new CpuBackend();
    }

    static final class CpuBackend implements GemmBackend {
        private static final DeviceProperties H100 = new DeviceProperties("NVIDIA H100 80GB HBM3", "9.0", 132,
                80L << 30, 50L << 20, "13.0", "13.0", "13.0.0", "0000:3B:00.0", null, false);

        @Override
        public String name() {
            return "cpu";
        }

        @Override
        public DeviceProperties device() {
            return H100;
        }

        @Override
        public GemmTrial open(GemmShape shape, Dtype dtype) {
            double bytes = Roofline.bytes(shape.m(), shape.k(), shape.n(), dtype.elementBytes());
            if (bytes > H100.memoryBytes()) {
                throw new GpuException("cudaMalloc: cudaErrorMemoryAllocation (2): out of memory", true);
            }
            Roofline roofline = DeviceCatalog.require("h100-sxm").roofline(dtype).orElseThrow();
            return new FixedTrial(() -> 1.25 * roofline.timeUs(shape));
        }

        /** The fp64 reference rounded to what the GEMM would store: fp32, or the dtype for 16-bit outputs. */
        @Override
        public float[] multiply(GemmShape shape, Dtype dtype, float[] a, float[] b) {
            double[] exact = CorrectnessCheck.reference(a, b, (int) shape.m(), (int) shape.k(), (int) shape.n());
            float[] c = new float[exact.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = dtype == Dtype.TF32 ? (float) exact[i] : DtypeRounding.round(dtype, (float) exact[i]);
            }
            return c;
        }

        @Override
        public GemmTrial openCopy(long bytes) {
            return new FixedTrial(() -> 2.0 * bytes / 3.35e6); // read + write at the H100's 3.35 TB/s
        }

        @Override
        public long reservedBytes() {
            return (256L + 32 + 64) << 20;
        }

        @Override
        public void checkContext() {
        }

        @Override
        public void close() {
        }
    }
}
