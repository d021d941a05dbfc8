/** The only package that touches the GPU: finding the CUDA libraries, binding them, and probing the device. */
package gemmcost.cuda;
