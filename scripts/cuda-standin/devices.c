/*
 * gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
 *
 * devices.c: the simulated devices' identities (count, PCI bus ids, UUIDs), shared by libcudart and
 * libnvidia-ml. See devices.h.
 */
#include "devices.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knobs.h"

static pthread_once_t count_once = PTHREAD_ONCE_INIT;
static int count;

static void read_count(void)
{
    uint64_t n = gemmcost_standin_knob("CUDA_STANDIN_DEVICES", 1, NULL);
    if (n > GEMMCOST_STANDIN_MAX_DEVICES) {
        fprintf(stderr, "cuda-standin: CUDA_STANDIN_DEVICES=%llu is more than %d; using %d\n",
                (unsigned long long) n, GEMMCOST_STANDIN_MAX_DEVICES, GEMMCOST_STANDIN_MAX_DEVICES);
        n = GEMMCOST_STANDIN_MAX_DEVICES;
    }
    count = (int) n;
}

int gemmcost_standin_device_count(void)
{
    pthread_once(&count_once, read_count);
    return count;
}

unsigned gemmcost_standin_device_bus(int p)
{
    return 0x18u + 0x10u * (unsigned) p;
}

void gemmcost_standin_device_bus_id(int p, char *out)
{
    snprintf(out, GEMMCOST_STANDIN_BUS_ID_LEN, "0000:%02X:00.0", gemmcost_standin_device_bus(p) & 0xFFu);
}

void gemmcost_standin_device_uuid(int p, char *out)
{
    snprintf(out, GEMMCOST_STANDIN_UUID_LEN, "GPU-5a7d1e00-0000-4000-8000-%012x", (unsigned) p);
}

/* Reads one hexadecimal field of 1..max_digits digits at *text and advances *text past it; 0 if there is none. */
static int hex_field(const char **text, unsigned max_digits, unsigned long *value)
{
    const char *s = *text;
    unsigned long v = 0;
    unsigned digits = 0;
    while (isxdigit((unsigned char) *s)) {
        if (++digits > max_digits) {
            return 0;
        }
        int c = tolower((unsigned char) *s);
        v = v * 16 + (unsigned long) (isdigit(c) ? c - '0' : c - 'a' + 10);
        s++;
    }
    if (digits == 0) {
        return 0;
    }
    *value = v;
    *text = s;
    return 1;
}

int gemmcost_standin_device_by_bus_id(const char *text)
{
    if (text == NULL) {
        return -2;
    }
    /* Up to three ':'-separated fields, the last of which may carry ".function". */
    unsigned long field[3];
    int fields = 0;
    unsigned long function = 0;
    int has_function = 0;
    const char *s = text;
    for (;;) {
        if (fields == 3 || !hex_field(&s, 8, &field[fields])) {
            return -2;
        }
        fields++;
        if (*s == ':') {
            s++;
            continue;
        }
        if (*s == '.') {
            s++;
            if (!hex_field(&s, 1, &function)) {
                return -2;
            }
            has_function = 1;
        }
        if (*s != '\0') {
            return -2;
        }
        break;
    }
    unsigned long domain;
    unsigned long bus;
    unsigned long device;
    if (fields == 3) { /* domain:bus:device[.function] */
        domain = field[0];
        bus = field[1];
        device = field[2];
    } else if (fields == 2 && has_function) { /* bus:device.function */
        domain = 0;
        bus = field[0];
        device = field[1];
    } else {
        return -2;
    }
    if (bus > 0xFF || device > 0x1F || function > 7) {
        return -2;
    }
    for (int p = 0; p < gemmcost_standin_device_count(); p++) {
        if (domain == 0 && bus == gemmcost_standin_device_bus(p) && device == 0 && function == 0) {
            return p;
        }
    }
    return -1;
}
