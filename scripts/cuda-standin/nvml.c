/*
 * gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
 *
 * nvml.c: libnvidia-ml.so.1, read-only NVML queries about the simulated devices of devices.c, enumerated in
 * PCI order (NVML ignores CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER, so its index p may differ from the CUDA
 * ordinal of the same device, as on real multi-GPU nodes). Clocks, clock-event reasons, power and temperature
 * are fixed values or knobs, nothing measured. The declarations below follow NVIDIA's public NVML
 * documentation (nvml.h is not needed to build the stand-in).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "devices.h"
#include "knobs.h"

#pragma GCC visibility push(default)

typedef enum nvmlReturn_enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NO_PERMISSION = 4,
    NVML_ERROR_ALREADY_INITIALIZED = 5,
    NVML_ERROR_NOT_FOUND = 6,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_UNKNOWN = 999
} nvmlReturn_t;

typedef enum nvmlClockType_enum {
    NVML_CLOCK_GRAPHICS = 0,
    NVML_CLOCK_SM = 1,
    NVML_CLOCK_MEM = 2,
    NVML_CLOCK_VIDEO = 3
} nvmlClockType_t;

typedef enum nvmlTemperatureSensors_enum {
    NVML_TEMPERATURE_GPU = 0
} nvmlTemperatureSensors_t;

typedef struct nvmlDevice_st *nvmlDevice_t;

nvmlReturn_t nvmlInit_v2(void);
nvmlReturn_t nvmlShutdown(void);
const char *nvmlErrorString(nvmlReturn_t result);
nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length);
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount);
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device);
nvmlReturn_t nvmlDeviceGetHandleByPciBusId_v2(const char *pciBusId, nvmlDevice_t *device);
nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device);
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length);
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length);
nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock);
nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, unsigned long long *clocksEventReasons);
nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, unsigned long long *clocksThrottleReasons);
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power);
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensorType, unsigned int *temp);

#pragma GCC visibility pop

#define DRIVER_VERSION_TEXT "580.00-standin"
#define POWER_MILLIWATTS 350000u
#define TEMPERATURE_C 45u

/* A handle is a pointer to one of these. */
struct nvmlDevice_st {
    int p; /* PCI-order index */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t knobs_once = PTHREAD_ONCE_INIT;
static unsigned init_count; /* nvmlInit_v2 minus nvmlShutdown calls */
static struct nvmlDevice_st table[GEMMCOST_STANDIN_MAX_DEVICES];
static int count;
static uint64_t sm_mhz;
static uint64_t mem_mhz;
static uint64_t clock_event_reasons;

static void read_knobs(void)
{
    count = gemmcost_standin_device_count();
    for (int p = 0; p < GEMMCOST_STANDIN_MAX_DEVICES; p++) {
        table[p].p = p;
    }
    sm_mhz = gemmcost_standin_knob("CUDA_STANDIN_SM_MHZ", 1980, NULL);
    mem_mhz = gemmcost_standin_knob("CUDA_STANDIN_MEM_MHZ", 2619, NULL);
    clock_event_reasons = gemmcost_standin_knob("CUDA_STANDIN_CLOCK_EVENT_REASONS", 0, NULL);
}

/* Locks; NVML_SUCCESS with the lock held when NVML is initialised, else NVML_ERROR_UNINITIALIZED (unlocked). */
static nvmlReturn_t enter(void)
{
    pthread_once(&knobs_once, read_knobs);
    pthread_mutex_lock(&lock);
    if (init_count == 0) {
        pthread_mutex_unlock(&lock);
        return NVML_ERROR_UNINITIALIZED;
    }
    return NVML_SUCCESS;
}

static nvmlReturn_t leave(nvmlReturn_t r)
{
    pthread_mutex_unlock(&lock);
    return r;
}

/* Initialised, and `device` is one of our handles: its PCI index, else -1 (lock released, *r set). */
static int enter_device(nvmlDevice_t device, nvmlReturn_t *r)
{
    if ((*r = enter()) != NVML_SUCCESS) {
        return -1;
    }
    for (int p = 0; p < count; p++) {
        if (device == &table[p]) {
            return p;
        }
    }
    *r = leave(NVML_ERROR_INVALID_ARGUMENT);
    return -1;
}

/* Copies text into out (length bytes): NVML_ERROR_INSUFFICIENT_SIZE when it does not fit with its NUL. */
static nvmlReturn_t copy_text(const char *text, char *out, unsigned length)
{
    if (out == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    size_t need = strlen(text) + 1;
    if (length < need) {
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    memcpy(out, text, need);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit_v2(void)
{
    pthread_once(&knobs_once, read_knobs);
    pthread_mutex_lock(&lock);
    init_count++;
    return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlShutdown(void)
{
    nvmlReturn_t r = enter();
    if (r != NVML_SUCCESS) {
        return r;
    }
    init_count--;
    return leave(NVML_SUCCESS);
}

const char *nvmlErrorString(nvmlReturn_t result)
{
    switch (result) {
    case NVML_SUCCESS:
        return "Success";
    case NVML_ERROR_UNINITIALIZED:
        return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT:
        return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED:
        return "Not Supported";
    case NVML_ERROR_NO_PERMISSION:
        return "Insufficient Permissions";
    case NVML_ERROR_ALREADY_INITIALIZED:
        return "Already Initialized";
    case NVML_ERROR_NOT_FOUND:
        return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE:
        return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED:
        return "Driver Not Loaded";
    default:
        return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
{
    nvmlReturn_t r = enter();
    if (r != NVML_SUCCESS) {
        return r;
    }
    return leave(copy_text(DRIVER_VERSION_TEXT, version, length));
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount)
{
    nvmlReturn_t r = enter();
    if (r != NVML_SUCCESS) {
        return r;
    }
    if (deviceCount == NULL) {
        return leave(NVML_ERROR_INVALID_ARGUMENT);
    }
    *deviceCount = (unsigned) count;
    return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
    nvmlReturn_t r = enter();
    if (r != NVML_SUCCESS) {
        return r;
    }
    if (device == NULL || index >= (unsigned) count) {
        return leave(NVML_ERROR_INVALID_ARGUMENT);
    }
    *device = &table[index];
    return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetHandleByPciBusId_v2(const char *pciBusId, nvmlDevice_t *device)
{
    nvmlReturn_t r = enter();
    if (r != NVML_SUCCESS) {
        return r;
    }
    if (pciBusId == NULL || device == NULL) {
        return leave(NVML_ERROR_INVALID_ARGUMENT);
    }
    int p = gemmcost_standin_device_by_bus_id(pciBusId);
    if (p == -2) {
        return leave(NVML_ERROR_INVALID_ARGUMENT);
    }
    if (p < 0) {
        return leave(NVML_ERROR_NOT_FOUND);
    }
    *device = &table[p];
    return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device)
{
    nvmlReturn_t r = enter();
    if (r != NVML_SUCCESS) {
        return r;
    }
    if (uuid == NULL || device == NULL) {
        return leave(NVML_ERROR_INVALID_ARGUMENT);
    }
    for (int p = 0; p < count; p++) {
        char text[GEMMCOST_STANDIN_UUID_LEN];
        gemmcost_standin_device_uuid(p, text);
        if (strcmp(text, uuid) == 0) {
            *device = &table[p];
            return leave(NVML_SUCCESS);
        }
    }
    return leave(NVML_ERROR_NOT_FOUND);
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
{
    nvmlReturn_t r;
    if (enter_device(device, &r) < 0) {
        return r;
    }
    return leave(copy_text(GEMMCOST_STANDIN_DEVICE_NAME, name, length));
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
{
    nvmlReturn_t r;
    int p = enter_device(device, &r);
    if (p < 0) {
        return r;
    }
    char text[GEMMCOST_STANDIN_UUID_LEN];
    gemmcost_standin_device_uuid(p, text);
    return leave(copy_text(text, uuid, length));
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock)
{
    nvmlReturn_t r;
    int p = enter_device(device, &r);
    if (p < 0) {
        return r;
    }
    if (clock == NULL) {
        return leave(NVML_ERROR_INVALID_ARGUMENT);
    }
    switch (type) {
    case NVML_CLOCK_GRAPHICS:
    case NVML_CLOCK_SM: { /* 15 MHz lower per PCI index, so that devices are told apart */
        uint64_t step = 15u * (uint64_t) p;
        *clock = (unsigned) (sm_mhz > step ? sm_mhz - step : 0);
        return leave(NVML_SUCCESS);
    }
    case NVML_CLOCK_MEM:
        *clock = (unsigned) mem_mhz;
        return leave(NVML_SUCCESS);
    case NVML_CLOCK_VIDEO:
        return leave(NVML_ERROR_NOT_SUPPORTED);
    default:
        return leave(NVML_ERROR_INVALID_ARGUMENT);
    }
}

nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, unsigned long long *clocksEventReasons)
{
    nvmlReturn_t r;
    if (enter_device(device, &r) < 0) {
        return r;
    }
    if (clocksEventReasons == NULL) {
        return leave(NVML_ERROR_INVALID_ARGUMENT);
    }
    *clocksEventReasons = (unsigned long long) clock_event_reasons;
    return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, unsigned long long *clocksThrottleReasons)
{
    return nvmlDeviceGetCurrentClocksEventReasons(device, clocksThrottleReasons);
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power)
{
    nvmlReturn_t r;
    if (enter_device(device, &r) < 0) {
        return r;
    }
    if (power == NULL) {
        return leave(NVML_ERROR_INVALID_ARGUMENT);
    }
    *power = POWER_MILLIWATTS;
    return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensorType, unsigned int *temp)
{
    nvmlReturn_t r;
    if (enter_device(device, &r) < 0) {
        return r;
    }
    if (temp == NULL || sensorType != NVML_TEMPERATURE_GPU) {
        return leave(NVML_ERROR_INVALID_ARGUMENT);
    }
    *temp = TEMPERATURE_C;
    return leave(NVML_SUCCESS);
}
