package gemmcost.cuda;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How a dtype is given to {@code cublasGemmEx}, the same for every backend: cudaDataType of A, B and C, the
 * cublasComputeType (fp32 accumulation throughout; TF32 via {@code CUBLAS_COMPUTE_32F_FAST_TF32}), the element
 * size, and host buffers in that encoding.
 */
record GemmTypes(Dtype dtype, int dataType, int computeType, int elementBytes) {
    static final int CUDA_R_32F = 0;
    static final int CUDA_R_16F = 2;
    static final int CUDA_R_16BF = 14;
    static final int CUBLAS_COMPUTE_32F = 68;
    static final int CUBLAS_COMPUTE_32F_FAST_TF32 = 77;
    static final int CUBLAS_OP_N = 0;
    static final int CUBLAS_DEFAULT_MATH = 0;
    static final int CUBLAS_GEMM_DEFAULT = -1;

    /** The environment variable with which {@code 0} makes cuBLAS run TF32 GEMMs in full fp32. */
    static final String TF32_OVERRIDE = "NVIDIA_TF32_OVERRIDE";

    /** The first compute capability with TF32 tensor cores (Ampere); before it cuBLAS runs a TF32 GEMM in fp32. */
    static final int TF32_MIN_MAJOR = 8;

    /**
     * {@code dtype}'s types on {@code device}: tf32 is refused on a GPU before Ampere, where cuBLAS falls back to
     * fp32 math whose rounding passes the tf32 check, so a tf32 table would silently hold fp32 times.
     */
    static GemmTypes on(Dtype dtype, DeviceProperties device) {
        return on(dtype, device, System.getenv());
    }

    /** {@link #on(Dtype, DeviceProperties)} in the process environment {@code env}. */
    static GemmTypes on(Dtype dtype, DeviceProperties device, Map<String, String> env) {
        String cc = device.computeCapability();
        int[] major = DeviceProperties.versionParts(cc, 1); // unreadable: a new GPU's, nothing refused for it
        if (dtype == Dtype.TF32 && major != null && major[0] < TF32_MIN_MAJOR)
            throw new BadInputException("--dtype tf32: " + device.name() + " (compute capability " + cc + ") has no"
                    + " TF32 tensor cores (Ampere, 8.0, and later), so cuBLAS would run it in fp32: measure --dtype"
                    + " fp32");
        return of(dtype, env);
    }

    /**
     * {@code dtype}'s types in the process environment {@code env}. With {@code NVIDIA_TF32_OVERRIDE=0} a TF32 GEMM
     * runs in fp32 and its rounding passes the tf32 check, so a tf32 table would silently hold fp32 times: refused.
     */
    static GemmTypes of(Dtype dtype, Map<String, String> env) {
        return switch (dtype) {
            case BF16 -> new GemmTypes(dtype, CUDA_R_16BF, CUBLAS_COMPUTE_32F, 2);
            case FP16 -> new GemmTypes(dtype, CUDA_R_16F, CUBLAS_COMPUTE_32F, 2);
            case FP32 -> new GemmTypes(dtype, CUDA_R_32F, CUBLAS_COMPUTE_32F, 4);
            case TF32 -> {
                if ("0".equals(env.get(TF32_OVERRIDE)))
                    throw new BadInputException("--dtype tf32: " + TF32_OVERRIDE + "=0 is set, which makes cuBLAS run"
                            + " TF32 GEMMs in fp32: unset it, or measure --dtype fp32");
                yield new GemmTypes(dtype, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, 4);
            }
            case FP8, FP8_BLOCK -> throw new BadInputException("--dtype " + dtype.id() + ": not supported by the bench yet");
        };
    }

    /** {@code values} in this encoding, in a direct native-order buffer both JCuda and FFM can pass to CUDA. */
    ByteBuffer encode(float[] values) {
        ByteBuffer out = ByteBuffer.allocateDirect(values.length * elementBytes).order(ByteOrder.nativeOrder());
        for (float v : values) {
            switch (dtype) {
                case BF16 -> out.putShort(bf16(v));
                case FP16 -> out.putShort(Float.floatToFloat16(v));
                default -> out.putFloat(v);
            }
        }
        return out.flip();
    }

    /** The bf16 nearest to {@code v} (ties to even; NaN stays NaN). */
    static short bf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The first {@code count} elements of {@code buffer} as floats. */
    float[] decode(ByteBuffer buffer, int count) {
        ByteBuffer in = buffer.duplicate().order(ByteOrder.nativeOrder());
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = switch (dtype) {
                case BF16 -> Float.intBitsToFloat((in.getShort(2 * i) & 0xFFFF) << 16);
                case FP16 -> Float.float16ToFloat(in.getShort(2 * i));
                default -> in.getFloat(4 * i);
            };
        }
        return out;
    }

    /**
     * {@code bytes} of standard normal values in this encoding (as mamf-finder's {@code torch.randn}; never zeros,
     * which run faster than real data), from {@code seed}: each operand gets its own seed, so A and B never coincide.
     */
    ByteBuffer normalValues(long bytes, long seed) {
        float[] values = new float[Math.toIntExact(bytes / elementBytes)];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return encode(values);
    }
}
