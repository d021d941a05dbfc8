package gemmcost.cuda;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    private static final long RANDOM_BLOCK_BYTES = 64L << 20;

    static GemmTypes of(Dtype dtype) {
        return switch (dtype) {
            case BF16 -> new GemmTypes(dtype, CUDA_R_16BF, CUBLAS_COMPUTE_32F, 2);
            case FP16 -> new GemmTypes(dtype, CUDA_R_16F, CUBLAS_COMPUTE_32F, 2);
            case FP32 -> new GemmTypes(dtype, CUDA_R_32F, CUBLAS_COMPUTE_32F, 4);
            case TF32 -> new GemmTypes(dtype, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, 4);
            case FP8 -> throw new BadInputException("--dtype fp8: not supported by the bench yet");
        };
    }

    /** {@code values} in this encoding, in a direct native-order buffer both JCuda and FFM can pass to CUDA. */
    ByteBuffer encode(float[] values) {
        ByteBuffer out = ByteBuffer.allocateDirect(values.length * elementBytes).order(ByteOrder.nativeOrder());
        for (float v : values) {
            switch (dtype) {
                case BF16 -> out.putShort((short) (Float.floatToRawIntBits(v) >>> 16)); // inputs are bf16-exact
                case FP16 -> out.putShort(Float.floatToFloat16(v));
                default -> out.putFloat(v);
            }
        }
        return out.flip();
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
     * Up to 64 MiB of uniform random values in [-1, 1) (never zeros, which run faster than real data), to be tiled
     * over an operand of {@code operandBytes}.
     */
    ByteBuffer randomBlock(long operandBytes) {
        int count = (int) (Math.min(operandBytes, RANDOM_BLOCK_BYTES) / elementBytes);
        float[] values = new float[count];
        SplittableRandom random = new SplittableRandom(operandBytes);
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return encode(values);
    }
}
