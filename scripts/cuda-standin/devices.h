/*
 * gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
 *
 * devices.h: the table of simulated devices, shared by libcudart and libnvidia-ml (devices.c is compiled into
 * both, with hidden visibility). Devices are numbered here by their PCI-order index p = 0..N-1, which is NVML's
 * index; libcudart maps CUDA ordinals onto p (see CUDA_DEVICE_ORDER and CUDA_VISIBLE_DEVICES in cudart.c).
 */
#ifndef GEMMCOST_STANDIN_DEVICES_H
#define GEMMCOST_STANDIN_DEVICES_H

#include <stddef.h>

/* PCI bus numbers 0x18 + 0x10·p must fit a byte: p <= 14. */
#define GEMMCOST_STANDIN_MAX_DEVICES 15

#define GEMMCOST_STANDIN_DEVICE_NAME "gemmcost CUDA stand-in (simulated, not a GPU)"
#define GEMMCOST_STANDIN_CC_MAJOR 9
#define GEMMCOST_STANDIN_CC_MINOR 0
#define GEMMCOST_STANDIN_SM_COUNT 132
#define GEMMCOST_STANDIN_L2_BYTES 52428800
#define GEMMCOST_STANDIN_MEM_CLOCK_KHZ 2619000
#define GEMMCOST_STANDIN_MEM_BUS_BITS 5120

/* Longest texts, with their terminating NUL. */
#define GEMMCOST_STANDIN_BUS_ID_LEN 13 /* "0000:18:00.0" */
#define GEMMCOST_STANDIN_UUID_LEN 41   /* "GPU-5a7d1e00-0000-4000-8000-000000000000" */

/* CUDA_STANDIN_DEVICES (default 1, at most GEMMCOST_STANDIN_MAX_DEVICES), read once. */
int gemmcost_standin_device_count(void);

/* The PCI bus number of device p: 0x18 + 0x10·p. */
unsigned gemmcost_standin_device_bus(int p);

/* "0000:%02X:00.0" of device p into out (at least GEMMCOST_STANDIN_BUS_ID_LEN bytes). */
void gemmcost_standin_device_bus_id(int p, char *out);

/* "GPU-5a7d1e00-0000-4000-8000-%012x" of device p into out (at least GEMMCOST_STANDIN_UUID_LEN bytes). */
void gemmcost_standin_device_uuid(int p, char *out);

/*
 * The device whose PCI address `text` names, or -1 if none. Accepted like NVML and the CUDA runtime do, case
 * insensitive hexadecimal: domain:bus:device.function, domain:bus:device, bus:device.function (domain of any
 * number of digits, so "0000:18:00.0" and "00000000:18:00.0" both work). -2 when the text is not a PCI address.
 */
int gemmcost_standin_device_by_bus_id(const char *text);

#endif
