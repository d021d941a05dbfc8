/*
 * gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
 *
 * cudart.c: libcudart.so.<major>, the CUDA runtime calls gemmcost's Java (FFM) GPU code makes, with the
 * toolkit's own prototypes (cuda_runtime_api.h) so the compiler checks every signature. There is no GPU
 * behind it:
 *
 *  - device pointers are fake addresses from a reserved range (0x200000000000 + PCI index · 2^41, 256-byte
 *    aligned, never reused while a device's 2 TiB of address space lasts), kept in a registry of
 *    allocations; small allocations have host memory behind them (filled with 0xFF bytes, so reading memory
 *    nobody wrote gives NaN in every float format), big ones (> CUDA_STANDIN_VIRTUAL_ABOVE_BYTES) are
 *    virtual: nothing behind them, operations on them only advance the clock;
 *  - every stream is a FIFO queue; nothing queued executes until a synchronisation point, and executing an
 *    operation advances its device's virtual clock (nanoseconds, a double) by a modelled cost; events take
 *    their timestamps from that clock. Host time never enters (apart from CUDA_STANDIN_GEMM_DELAY_MS);
 *  - one mutex guards all state: Java calls from several threads.
 *
 * See README.md for the knobs and for what is not imitated.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The runtime API is exported: everything else in this library is hidden (built with -fvisibility=hidden). */
#pragma GCC visibility push(default)
#include <cuda_runtime_api.h>
#include "standin.h"
#pragma GCC visibility pop

#include "devices.h"
#include "knobs.h"

#ifndef STANDIN_MAJOR
#error "build with -DSTANDIN_MAJOR=13 or 12 (build.sh does)"
#endif

#if STANDIN_MAJOR == 13
#define RUNTIME_VERSION 13000
#elif STANDIN_MAJOR == 12
#define RUNTIME_VERSION 12080
#else
#error "STANDIN_MAJOR must be 13 or 12"
#endif

#define STR2(x) #x
#define STR(x) STR2(x)

_Static_assert(sizeof(void *) == 8, "the stand-in's fake device addresses and handles need 64-bit pointers");

/* ---------------------------------------------------------------------------------------------------------
 * Model constants
 */

/*
 * Device p's addresses: [ADDRESS_BASE + p · DEVICE_SPAN, + DEVICE_SPAN). 2 TiB each keeps all 15 devices in
 * [0x200000000000, 0x3E0000000000), clear of where Linux puts a PIE executable and its heap (0x55..., 0x56...)
 * and the stack and mmaps (0x7f...) on x86-64, and of all of aarch64's usual ranges.
 */
#define ADDRESS_BASE 0x200000000000ull
#define DEVICE_SPAN (1ull << 41)
#define ALIGNMENT 256ull
#define GUARD 256ull /* unused bytes after each allocation: a pointer just past one is in none */

#define DEVICE_BYTES_PER_NS 3350.0 /* 3.35e12 B/s: memset writes bytes, a device-to-device copy 2·bytes */
#define PCIE_BYTES_PER_NS 25.0     /* 25e9 B/s host <-> device */

/* Handles are tagged numbers, never pointers to our memory: a stale or foreign handle is recognised. */
#define STREAM_TAG 0x5157ull
#define EVENT_TAG 0x5E7Eull
#define TAG_SHIFT 32

/* ---------------------------------------------------------------------------------------------------------
 * State
 */

enum op_kind { OP_MEMSET, OP_H2D, OP_D2H, OP_D2D, OP_H2H, OP_EVENT, OP_EXTERNAL };

typedef struct op op;
struct op {
    op *next;
    uint64_t seq; /* order of enqueueing, process-wide */
    enum op_kind kind;
    uint64_t dst; /* device address written (memset, H2D, D2D) */
    uint64_t src; /* device address read (D2H, D2D) */
    void *host;   /* D2H destination; H2D and H2H source (a snapshot of it when host_owned) */
    int host_owned;
    void *host_dst; /* H2H destination */
    size_t bytes;
    int value;          /* memset byte */
    int event;          /* OP_EVENT: event number */
    uint64_t event_gen; /* OP_EVENT: which cudaEventRecord of that event this is */
    gemmcost_standin_op ext;
};

typedef struct sim_stream {
    int id;        /* 0: the device's legacy default stream; else the number in the handle */
    int dev;       /* PCI index */
    unsigned flags; /* cudaStreamNonBlocking or 0 */
    int destroyed; /* cudaStreamDestroy called: freed once its queue has drained */
    op *head;
    op *tail;
} sim_stream;

typedef struct sim_device {
    double clock_ns;  /* the virtual clock */
    uint64_t used;    /* CUDA_STANDIN_USED_BYTES + bytes allocated (each rounded up to ALIGNMENT) */
    uint64_t start;   /* address range [start, end) */
    uint64_t end;
    uint64_t next;    /* bump pointer: addresses below it have been handed out */
    sim_stream legacy;
    sim_stream **streams; /* created streams of this device, alive or destroyed with work pending */
    size_t n_streams;
    size_t cap_streams;
} sim_device;

enum event_state { EVENT_NEVER_RECORDED, EVENT_PENDING, EVENT_COMPLETE };

typedef struct sim_event {
    int id;
    int dev; /* PCI index */
    unsigned flags;
    enum event_state state;
    uint64_t gen;       /* incremented by each cudaEventRecord; only the latest record counts */
    int stream_id;      /* EVENT_PENDING: where the record waits, and its seq */
    uint64_t seq;
    double timestamp_ns; /* EVENT_COMPLETE: the clock when the record executed */
} sim_event;

typedef struct allocation {
    uint64_t base;
    uint64_t size;
    int dev;             /* PCI index */
    unsigned char *host; /* NULL: virtual */
} allocation;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
    int driver_version;
    uint64_t memory_bytes;
    uint64_t used_by_others; /* memory other processes hold on every device: free < total, as on a shared GPU */
    uint64_t virtual_above;
    uint64_t gemm_delay_ms;
    int sticky_after_set;
    uint64_t sticky_after;
    FILE *trace;
} cfg;

static cudaError_t init_error; /* cudaErrorInsufficientDriver or cudaErrorNoDevice, fixed at first use */
static cudaError_t sticky;     /* cudaErrorIllegalAddress once raised */

static int n_pci;                                   /* devices in PCI order */
static sim_device devs[GEMMCOST_STANDIN_MAX_DEVICES];   /* by PCI index */
static int n_visible;                               /* CUDA ordinals 0..n_visible-1 */
static int visible[GEMMCOST_STANDIN_MAX_DEVICES];   /* CUDA ordinal -> PCI index */
static int ordinal_of[GEMMCOST_STANDIN_MAX_DEVICES]; /* PCI index -> CUDA ordinal, -1 if not visible */

static uint64_t next_seq = 1;
static sim_stream **stream_table; /* by stream number - 1; NULL once freed */
static size_t n_stream_ids;
static size_t cap_stream_ids;
static sim_event **event_table;   /* by event number - 1; NULL once destroyed */
static size_t n_event_ids;
static size_t cap_event_ids;

static allocation *allocs; /* sorted by base */
static size_t n_allocs;
static size_t cap_allocs;

static uint64_t gemms_executed;

static _Thread_local int current_ordinal;        /* cudaSetDevice; 0 in every new thread, as in CUDA */
static _Thread_local cudaError_t last_error;     /* cudaGetLastError */
static _Thread_local uint64_t pending_sleep_ms;  /* CUDA_STANDIN_GEMM_DELAY_MS owed by this call */

/* ---------------------------------------------------------------------------------------------------------
 * Start-up: knobs and the CUDA enumeration of the devices
 */

/* Case-insensitive: does `prefix` start `text`? */
static int has_prefix(const char *text, const char *prefix)
{
    for (; *prefix != '\0'; prefix++, text++) {
        char a = *text >= 'A' && *text <= 'Z' ? (char) (*text - 'A' + 'a') : *text;
        char b = *prefix >= 'A' && *prefix <= 'Z' ? (char) (*prefix - 'A' + 'a') : *prefix;
        if (a != b) {
            return 0;
        }
    }
    return 1;
}

/*
 * CUDA_VISIBLE_DEVICES over the ordered list `order` (PCI indices): comma-separated entries, each an index into
 * `order` or a UUID ("GPU-..." or a prefix of it that names one device). Like the real runtime, parsing stops
 * at the first invalid entry (and at a repeated device); only the devices before it are visible.
 */
static int parse_visible(const char *text, const int *order, int n, int *out)
{
    int count = 0;
    const char *s = text;
    while (count < n) {
        const char *comma = strchr(s, ',');
        size_t len = comma != NULL ? (size_t) (comma - s) : strlen(s);
        while (len > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
            len--;
        }
        char entry[64];
        if (len == 0 || len >= sizeof entry) {
            break;
        }
        memcpy(entry, s, len);
        entry[len] = '\0';
        int pci = -1;
        uint64_t index;
        if (entry[0] >= '0' && entry[0] <= '9') {
            int hex = entry[0] == '0' && (entry[1] == 'x' || entry[1] == 'X'); /* indices are decimal */
            if (!hex && gemmcost_standin_parse_u64(entry, &index) && index < (uint64_t) n) {
                pci = order[index];
            }
        } else {
            for (int i = 0; i < n; i++) {
                char uuid[GEMMCOST_STANDIN_UUID_LEN];
                gemmcost_standin_device_uuid(order[i], uuid);
                if (has_prefix(uuid, entry)) {
                    if (pci >= 0) { /* ambiguous prefix */
                        pci = -1;
                        break;
                    }
                    pci = order[i];
                }
            }
        }
        for (int i = 0; i < count && pci >= 0; i++) {
            if (out[i] == pci) {
                pci = -1;
            }
        }
        if (pci < 0) {
            break;
        }
        out[count++] = pci;
        if (comma == NULL) {
            break;
        }
        s = comma + 1;
    }
    return count;
}

static void init(void)
{
    cfg.driver_version = (int) gemmcost_standin_knob("CUDA_STANDIN_DRIVER_VERSION", 13000, NULL);
    cfg.memory_bytes = gemmcost_standin_knob("CUDA_STANDIN_MEMORY_BYTES", 85899345920ull, NULL);
    cfg.used_by_others = gemmcost_standin_knob("CUDA_STANDIN_USED_BYTES", 0, NULL);
    if (cfg.used_by_others > cfg.memory_bytes) {
        cfg.used_by_others = cfg.memory_bytes;
    }
    cfg.virtual_above = gemmcost_standin_knob("CUDA_STANDIN_VIRTUAL_ABOVE_BYTES", 16ull << 20, NULL);
    cfg.gemm_delay_ms = gemmcost_standin_knob("CUDA_STANDIN_GEMM_DELAY_MS", 0, NULL);
    cfg.sticky_after = gemmcost_standin_knob("CUDA_STANDIN_STICKY_AFTER", 0, &cfg.sticky_after_set);
    const char *trace = getenv("CUDA_STANDIN_TRACE");
    if (trace != NULL && *trace != '\0') {
        cfg.trace = fopen(trace, "a");
        if (cfg.trace == NULL) {
            fprintf(stderr, "cuda-standin: cannot append to CUDA_STANDIN_TRACE=%s: %s\n", trace, strerror(errno));
        }
    }

    n_pci = gemmcost_standin_device_count();
    for (int p = 0; p < n_pci; p++) {
        sim_device *d = &devs[p];
        d->start = ADDRESS_BASE + (uint64_t) p * DEVICE_SPAN;
        d->end = d->start + DEVICE_SPAN;
        d->next = d->start;
        d->used = cfg.used_by_others;
        d->legacy.id = 0;
        d->legacy.dev = p;
    }

    /* CUDA's order: fastest first (all equal here: the reverse of PCI order, as a real node may show), or
     * PCI order with CUDA_DEVICE_ORDER=PCI_BUS_ID; then CUDA_VISIBLE_DEVICES selects and reorders. */
    int order[GEMMCOST_STANDIN_MAX_DEVICES];
    const char *device_order = getenv("CUDA_DEVICE_ORDER");
    int pci_order = device_order != NULL && strcmp(device_order, "PCI_BUS_ID") == 0;
    for (int i = 0; i < n_pci; i++) {
        order[i] = pci_order ? i : n_pci - 1 - i;
    }
    const char *visible_devices = getenv("CUDA_VISIBLE_DEVICES");
    if (visible_devices != NULL) {
        n_visible = parse_visible(visible_devices, order, n_pci, visible);
    } else {
        n_visible = n_pci;
        memcpy(visible, order, sizeof(int) * (size_t) n_pci);
    }
    for (int p = 0; p < GEMMCOST_STANDIN_MAX_DEVICES; p++) {
        ordinal_of[p] = -1;
    }
    for (int i = 0; i < n_visible; i++) {
        ordinal_of[visible[i]] = i;
    }

    /* CUDA minor-version compatibility: a driver of the same major version runs the runtime. */
    if (cfg.driver_version / 1000 < RUNTIME_VERSION / 1000) {
        init_error = cudaErrorInsufficientDriver;
    } else if (n_visible == 0) {
        init_error = cudaErrorNoDevice;
    }
}

/* ---------------------------------------------------------------------------------------------------------
 * Entering and leaving an API call
 */

static void enter(void)
{
    pthread_once(&init_once, init);
    pthread_mutex_lock(&lock);
}

/* Sleeps ms milliseconds on the host, resuming after signals. */
static void sleep_ms(uint64_t ms)
{
    struct timespec left = {(time_t) (ms / 1000), (long) (ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

/*
 * Unlocks, pays the GEMM delay this call owes (outside the lock, so other threads go on), remembers a failure
 * for cudaGetLastError (cudaErrorNotReady is a status, not an error, as in CUDA) and returns `error`.
 */
static cudaError_t leave(cudaError_t error)
{
    pthread_mutex_unlock(&lock);
    if (pending_sleep_ms > 0) {
        uint64_t ms = pending_sleep_ms;
        pending_sleep_ms = 0;
        sleep_ms(ms);
    }
    if (error != cudaSuccess && error != cudaErrorNotReady) {
        last_error = error;
    }
    return error;
}

/* cudaSuccess, or why no call that touches a device can succeed: no driver or device, or the sticky error. */
static cudaError_t usable(void)
{
    if (init_error != cudaSuccess) {
        return init_error;
    }
    return sticky;
}

/*
 * The prologue of an entry point that needs a working runtime: take the lock, and fail as the real runtime does
 * once initialisation failed or a sticky error happened. Declares the cudaError_t e for the rest of the function.
 */
#define ENTER_USABLE(e) \
    enter(); \
    cudaError_t e = usable(); \
    if (e != cudaSuccess) { \
        return leave(e); \
    }

static sim_device *current_device(void)
{
    return &devs[visible[current_ordinal]];
}

/* ---------------------------------------------------------------------------------------------------------
 * The allocation registry
 */

/*
 * Room for element n of an array of `elem`-byte elements whose capacity is *cap (doubled as needed): the array,
 * perhaps moved, or NULL when out of memory (the old array is then left as it was).
 */
static void *reserve(void *array, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap) {
        return array;
    }
    size_t grown_cap = *cap == 0 ? 16 : *cap * 2;
    void *grown = realloc(array, grown_cap * elem);
    if (grown != NULL) {
        *cap = grown_cap;
    }
    return grown;
}

/* Index of the allocation containing address a, or -1. */
static long find_allocation(uint64_t a)
{
    size_t lo = 0;
    size_t hi = n_allocs; /* first allocation with base > a is in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (allocs[mid].base <= a) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return -1;
    }
    allocation *al = &allocs[lo - 1];
    return a - al->base < al->size ? (long) (lo - 1) : -1;
}

/* The allocation that holds all of [a, a + bytes) (bytes == 0: holds a), or NULL. */
static allocation *resolve_range(uint64_t a, size_t bytes)
{
    long i = find_allocation(a);
    if (i < 0) {
        return NULL;
    }
    allocation *al = &allocs[i];
    return bytes <= al->size - (a - al->base) ? al : NULL;
}

/* Host memory behind device address a of allocation al, or NULL when it is virtual. */
static unsigned char *host_of(const allocation *al, uint64_t a)
{
    return al->host != NULL ? al->host + (a - al->base) : NULL;
}

/* Is a in the address range of some device (allocated or not)? Such an address is never a host pointer. */
static int in_device_range(uint64_t a)
{
    return a >= ADDRESS_BASE && a - ADDRESS_BASE < (uint64_t) n_pci * DEVICE_SPAN;
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
    return (v + to - 1) / to * to;
}

/*
 * An unused address range of `need` bytes (plus guard) on device d: the next never-used addresses; once the
 * device's 2 TiB have all been handed out, the first gap between live allocations. 0 if there is none.
 */
static uint64_t place(sim_device *d, int p, uint64_t need)
{
    if (need <= d->end - d->next && need + GUARD <= d->end - d->next) {
        uint64_t a = d->next;
        d->next += need + GUARD;
        return a;
    }
    uint64_t cursor = d->start;
    for (size_t i = 0; i < n_allocs; i++) {
        if (allocs[i].dev != p) {
            continue;
        }
        if (allocs[i].base >= cursor && allocs[i].base - cursor >= need + GUARD) {
            return cursor;
        }
        cursor = round_up(allocs[i].base + allocs[i].size, ALIGNMENT) + GUARD;
    }
    return cursor < d->end && d->end - cursor >= need + GUARD ? cursor : 0;
}

static int insert_allocation(allocation al)
{
    allocation *grown = reserve(allocs, n_allocs, &cap_allocs, sizeof *grown);
    if (grown == NULL) {
        return 0;
    }
    allocs = grown;
    size_t at = n_allocs;
    while (at > 0 && allocs[at - 1].base > al.base) {
        at--;
    }
    memmove(&allocs[at + 1], &allocs[at], (n_allocs - at) * sizeof *allocs);
    allocs[at] = al;
    n_allocs++;
    return 1;
}

/* ---------------------------------------------------------------------------------------------------------
 * Streams, events and their handles
 */

static cudaStream_t stream_handle(int id)
{
    return (cudaStream_t) (uintptr_t) ((STREAM_TAG << TAG_SHIFT) | (uint64_t) id);
}

static cudaEvent_t event_handle(int id)
{
    return (cudaEvent_t) (uintptr_t) ((EVENT_TAG << TAG_SHIFT) | (uint64_t) id);
}

static int is_default_stream(cudaStream_t h)
{
    return h == NULL || h == cudaStreamLegacy || h == cudaStreamPerThread;
}

/*
 * The stream a handle names: the default-stream handles (NULL, cudaStreamLegacy, cudaStreamPerThread: all the
 * legacy default stream here) mean that of device p_default. NULL for anything else than a live stream.
 */
static sim_stream *stream_of(cudaStream_t h, int p_default)
{
    if (is_default_stream(h)) {
        return &devs[p_default].legacy;
    }
    uint64_t u = (uint64_t) (uintptr_t) h;
    uint64_t id = u & ((1ull << TAG_SHIFT) - 1);
    if (u >> TAG_SHIFT != STREAM_TAG || id == 0 || id > n_stream_ids) {
        return NULL;
    }
    sim_stream *s = stream_table[id - 1];
    return s != NULL && !s->destroyed ? s : NULL;
}

/* A stream by number, live or destroyed with work pending (0: legacy of device p). */
static sim_stream *stream_by_id(int id, int p)
{
    if (id == 0) {
        return &devs[p].legacy;
    }
    return (size_t) id <= n_stream_ids ? stream_table[id - 1] : NULL;
}

static sim_event *event_of(cudaEvent_t h)
{
    uint64_t u = (uint64_t) (uintptr_t) h;
    uint64_t id = u & ((1ull << TAG_SHIFT) - 1);
    if (u >> TAG_SHIFT != EVENT_TAG || id == 0 || id > n_event_ids) {
        return NULL;
    }
    return event_table[id - 1];
}

static sim_event *event_by_id(int id)
{
    return id >= 1 && (size_t) id <= n_event_ids ? event_table[id - 1] : NULL;
}

/* Frees the destroyed streams of device d whose queues have drained. */
static void reap(sim_device *d)
{
    size_t kept = 0;
    for (size_t i = 0; i < d->n_streams; i++) {
        sim_stream *s = d->streams[i];
        if (s->destroyed && s->head == NULL) {
            stream_table[s->id - 1] = NULL;
            free(s);
        } else {
            d->streams[kept++] = s;
        }
    }
    d->n_streams = kept;
}

static void reap_all(void)
{
    for (int p = 0; p < n_pci; p++) {
        reap(&devs[p]);
    }
}

/* ---------------------------------------------------------------------------------------------------------
 * Queues and execution
 */

static op *new_op(enum op_kind kind)
{
    op *o = calloc(1, sizeof *o);
    if (o != NULL) {
        o->kind = kind;
    }
    return o;
}

/* Frees an operation that is done with (executed or dropped). */
static void free_op(op *o)
{
    if (o->kind == OP_EXTERNAL && o->ext.release != NULL) {
        o->ext.release(o->ext.payload);
    }
    if (o->host_owned) {
        free(o->host);
    }
    free(o);
}

static void push(sim_stream *s, op *o)
{
    o->seq = next_seq++;
    o->next = NULL;
    if (s->tail != NULL) {
        s->tail->next = o;
    } else {
        s->head = o;
    }
    s->tail = o;
}

static op *pop(sim_stream *s)
{
    op *o = s->head;
    s->head = o->next;
    if (s->head == NULL) {
        s->tail = NULL;
    }
    return o;
}

static void drop_queue(sim_stream *s)
{
    while (s->head != NULL) {
        free_op(pop(s));
    }
}

/* Raises the sticky cudaErrorIllegalAddress: the context is lost; queued work never runs. */
static cudaError_t raise_sticky(void)
{
    sticky = cudaErrorIllegalAddress;
    for (int p = 0; p < n_pci; p++) {
        drop_queue(&devs[p].legacy);
        for (size_t i = 0; i < devs[p].n_streams; i++) {
            drop_queue(devs[p].streams[i]);
        }
    }
    return sticky;
}

static void trace(int p, const sim_stream *s, const char *what, double start, double end, size_t bytes, double flops,
        const char *name)
{
    if (cfg.trace == NULL) {
        return;
    }
    fprintf(cfg.trace, "device=%d stream=%d op=%s start_ns=%.3f end_ns=%.3f bytes=%zu flops=%.0f name=%s\n", p,
            s->id, what, start, end, bytes, flops, name);
    fflush(cfg.trace);
}

/* Advances device p's clock by cost_ns and traces the operation. */
static void advance(int p, const sim_stream *s, const char *what, double cost_ns, size_t bytes, double flops,
        const char *name)
{
    double start = devs[p].clock_ns;
    devs[p].clock_ns = start + cost_ns;
    trace(p, s, what, start, devs[p].clock_ns, bytes, flops, name);
}

/* Executes o, taken off stream s; frees it. cudaSuccess or the sticky error it raised. */
static cudaError_t execute(sim_stream *s, op *o)
{
    int p = s->dev;
    cudaError_t result = cudaSuccess;
    allocation *dst = NULL;
    allocation *src = NULL;
    switch (o->kind) {
    case OP_MEMSET:
        if ((dst = resolve_range(o->dst, o->bytes)) == NULL) {
            result = raise_sticky();
            break;
        }
        if (dst->host != NULL) {
            memset(host_of(dst, o->dst), o->value, o->bytes);
        }
        advance(p, s, "memset", (double) o->bytes / DEVICE_BYTES_PER_NS, o->bytes, 0, "-");
        break;
    case OP_H2D:
        if ((dst = resolve_range(o->dst, o->bytes)) == NULL) {
            result = raise_sticky();
            break;
        }
        if (dst->host != NULL && o->host != NULL) {
            memcpy(host_of(dst, o->dst), o->host, o->bytes);
        }
        advance(p, s, "memcpy_h2d", (double) o->bytes / PCIE_BYTES_PER_NS, o->bytes, 0, "-");
        break;
    case OP_D2H:
        if ((src = resolve_range(o->src, o->bytes)) == NULL) {
            result = raise_sticky();
            break;
        }
        if (src->host != NULL) { /* from virtual memory: the host buffer is left as it is */
            memcpy(o->host, host_of(src, o->src), o->bytes);
        }
        advance(p, s, "memcpy_d2h", (double) o->bytes / PCIE_BYTES_PER_NS, o->bytes, 0, "-");
        break;
    case OP_D2D:
        if ((dst = resolve_range(o->dst, o->bytes)) == NULL || (src = resolve_range(o->src, o->bytes)) == NULL) {
            result = raise_sticky();
            break;
        }
        if (dst->host != NULL && src->host != NULL) {
            memmove(host_of(dst, o->dst), host_of(src, o->src), o->bytes);
        }
        advance(p, s, "memcpy_d2d", 2.0 * (double) o->bytes / DEVICE_BYTES_PER_NS, o->bytes, 0, "-");
        break;
    case OP_H2H: /* host to host in stream order: no device work, no clock, no trace */
        memmove(o->host_dst, o->host, o->bytes);
        break;
    case OP_EVENT: {
        sim_event *e = event_by_id(o->event);
        if (e != NULL && e->gen == o->event_gen) { /* else destroyed or recorded again since */
            e->state = EVENT_COMPLETE;
            e->timestamp_ns = devs[p].clock_ns;
        }
        char name[24];
        snprintf(name, sizeof name, "%d", o->event);
        advance(p, s, "event", 0, 0, 0, name);
        break;
    }
    case OP_EXTERNAL: {
        void *host[GEMMCOST_STANDIN_MAX_OPERANDS] = {NULL};
        if (o->ext.is_gemm && cfg.sticky_after_set && gemms_executed >= cfg.sticky_after) {
            result = raise_sticky();
            break;
        }
        for (int i = 0; i < GEMMCOST_STANDIN_MAX_OPERANDS; i++) {
            const gemmcost_standin_operand *r = &o->ext.operands[i];
            if (r->dev == NULL && r->bytes == 0) {
                continue;
            }
            allocation *al = resolve_range((uint64_t) (uintptr_t) r->dev, r->bytes);
            if (al == NULL || al->dev != p) {
                result = raise_sticky();
                break;
            }
            host[i] = host_of(al, (uint64_t) (uintptr_t) r->dev);
        }
        if (result != cudaSuccess) {
            break;
        }
        if (o->ext.is_gemm) {
            gemms_executed++;
            pending_sleep_ms += cfg.gemm_delay_ms;
        }
        if (o->ext.execute != NULL) {
            o->ext.execute(o->ext.payload, host);
        }
        double cost_ns = o->ext.peak_flops_per_s > 0 ? o->ext.flops / o->ext.peak_flops_per_s * 1e9 : 0;
        advance(p, s, o->ext.trace_op != NULL ? o->ext.trace_op : "external", cost_ns, o->ext.trace_bytes,
                o->ext.flops, o->ext.trace_name);
        break;
    }
    }
    free_op(o);
    return result;
}

/*
 * Executes stream s's queue up to and including the operation numbered `limit`, with the legacy default
 * stream's implicit synchronisation: before a legacy-stream operation, earlier work of the device's blocking
 * streams executes; before a blocking stream's operation, earlier legacy-stream work executes.
 */
static cudaError_t run_stream(sim_stream *s, uint64_t limit)
{
    sim_device *d = &devs[s->dev];
    while (s->head != NULL && s->head->seq <= limit) {
        uint64_t seq = s->head->seq;
        cudaError_t e;
        if (s->id == 0) {
            for (size_t i = 0; i < d->n_streams; i++) {
                if (!(d->streams[i]->flags & cudaStreamNonBlocking)) {
                    if ((e = run_stream(d->streams[i], seq - 1)) != cudaSuccess) {
                        return e;
                    }
                }
            }
        } else if (!(s->flags & cudaStreamNonBlocking)) {
            if ((e = run_stream(&d->legacy, seq - 1)) != cudaSuccess) {
                return e;
            }
        }
        if ((e = execute(s, pop(s))) != cudaSuccess) {
            return e;
        }
    }
    return cudaSuccess;
}

static cudaError_t run_stream_all(sim_stream *s)
{
    return s->tail != NULL ? run_stream(s, s->tail->seq) : cudaSuccess;
}

/* Executes everything queued on device p, in the order it was queued. */
static cudaError_t drain_device(int p)
{
    sim_device *d = &devs[p];
    for (;;) {
        sim_stream *first = d->legacy.head != NULL ? &d->legacy : NULL;
        for (size_t i = 0; i < d->n_streams; i++) {
            sim_stream *s = d->streams[i];
            if (s->head != NULL && (first == NULL || s->head->seq < first->head->seq)) {
                first = s;
            }
        }
        if (first == NULL) {
            return cudaSuccess;
        }
        cudaError_t e = execute(first, pop(first));
        if (e != cudaSuccess) {
            return e;
        }
    }
}

/* ---------------------------------------------------------------------------------------------------------
 * Copies and memsets: validation at the call, an operation to queue
 */

/*
 * Validates a copy and builds its operation (NULL with cudaSuccess: nothing to do). Device sides must lie in
 * one live allocation each; host sides must be non-NULL and outside the device address range. `snapshot`:
 * take a copy of an H2D source now (async copies: the caller may reuse its buffer, as with pageable memory).
 */
static cudaError_t make_copy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, int snapshot,
        op **out)
{
    *out = NULL;
    if (count == 0) {
        return cudaSuccess;
    }
    uint64_t d = (uint64_t) (uintptr_t) dst;
    uint64_t s = (uint64_t) (uintptr_t) src;
    int dst_dev;
    int src_dev;
    switch (kind) {
    case cudaMemcpyHostToHost:
        dst_dev = 0;
        src_dev = 0;
        break;
    case cudaMemcpyHostToDevice:
        dst_dev = 1;
        src_dev = 0;
        break;
    case cudaMemcpyDeviceToHost:
        dst_dev = 0;
        src_dev = 1;
        break;
    case cudaMemcpyDeviceToDevice:
        dst_dev = 1;
        src_dev = 1;
        break;
    case cudaMemcpyDefault: /* unified addressing: the registry knows */
        dst_dev = find_allocation(d) >= 0;
        src_dev = find_allocation(s) >= 0;
        break;
    default:
        return cudaErrorInvalidMemcpyDirection;
    }
    allocation *dst_al = NULL;
    allocation *src_al = NULL;
    if (dst_dev ? (dst_al = resolve_range(d, count)) == NULL : dst == NULL || in_device_range(d)) {
        return cudaErrorInvalidValue;
    }
    if (src_dev ? (src_al = resolve_range(s, count)) == NULL : src == NULL || in_device_range(s)) {
        return cudaErrorInvalidValue;
    }
    op *o = new_op(dst_dev ? (src_dev ? OP_D2D : OP_H2D) : (src_dev ? OP_D2H : OP_H2H));
    if (o == NULL) {
        return cudaErrorMemoryAllocation;
    }
    o->bytes = count;
    o->dst = d;
    o->src = s;
    switch (o->kind) {
    case OP_H2D:
        o->host = (void *) src;
        if (snapshot && dst_al->host != NULL) {
            if ((o->host = malloc(count)) == NULL) {
                free(o);
                return cudaErrorMemoryAllocation;
            }
            memcpy(o->host, src, count);
            o->host_owned = 1;
        }
        break;
    case OP_D2H:
        o->host = dst;
        break;
    case OP_H2H:
        o->host = (void *) src;
        o->host_dst = dst;
        break;
    default:
        break;
    }
    *out = o;
    return cudaSuccess;
}

/* The PCI index of the device an allocation-backed pointer is on, or -1. */
static int device_of(const void *p)
{
    long i = find_allocation((uint64_t) (uintptr_t) p);
    return i >= 0 ? allocs[i].dev : -1;
}

/* A synchronous operation: queued on the current device's legacy stream, then everything on that device
 * (and on the devices the operation touches) executes, the operation last. */
static cudaError_t run_now(op *o, int p_other1, int p_other2)
{
    sim_device *d = current_device();
    push(&d->legacy, o);
    cudaError_t e = cudaSuccess;
    if (p_other1 >= 0 && &devs[p_other1] != d) {
        e = drain_device(p_other1);
    }
    if (e == cudaSuccess && p_other2 >= 0 && &devs[p_other2] != d) {
        e = drain_device(p_other2);
    }
    if (e == cudaSuccess) {
        e = drain_device(visible[current_ordinal]);
    }
    reap_all();
    return e;
}

/* ---------------------------------------------------------------------------------------------------------
 * Error names and strings (the real runtime's wording)
 */

static const struct {
    int code;
    const char *name;
    const char *text;
} errors[] = {
    {0, "cudaSuccess", "no error"},
    {1, "cudaErrorInvalidValue", "invalid argument"},
    {2, "cudaErrorMemoryAllocation", "out of memory"},
    {3, "cudaErrorInitializationError", "initialization error"},
    {4, "cudaErrorCudartUnloading", "driver shutting down"},
    {21, "cudaErrorInvalidMemcpyDirection", "invalid copy direction for memcpy"},
    {34, "cudaErrorStubLibrary", "CUDA driver is a stub library"},
    {35, "cudaErrorInsufficientDriver", "CUDA driver version is insufficient for CUDA runtime version"},
    {36, "cudaErrorCallRequiresNewerDriver", "API call is not supported in the installed CUDA driver"},
    {46, "cudaErrorDevicesUnavailable", "CUDA-capable device(s) is/are busy or unavailable"},
    {98, "cudaErrorInvalidDeviceFunction", "invalid device function"},
    {100, "cudaErrorNoDevice", "no CUDA-capable device is detected"},
    {101, "cudaErrorInvalidDevice", "invalid device ordinal"},
    {201, "cudaErrorDeviceUninitialized", "invalid device context"},
    {209, "cudaErrorNoKernelImageForDevice", "no kernel image is available for execution on the device"},
    {400, "cudaErrorInvalidResourceHandle", "invalid resource handle"},
    {401, "cudaErrorIllegalState", "the operation cannot be performed in the present state"},
    {500, "cudaErrorSymbolNotFound", "named symbol not found"},
    {600, "cudaErrorNotReady", "device not ready"},
    {700, "cudaErrorIllegalAddress", "an illegal memory access was encountered"},
    {701, "cudaErrorLaunchOutOfResources", "too many resources requested for launch"},
    {702, "cudaErrorLaunchTimeout", "the launch timed out and was terminated"},
    {709, "cudaErrorContextIsDestroyed", "context is destroyed"},
    {710, "cudaErrorAssert", "device-side assert triggered"},
    {716, "cudaErrorMisalignedAddress", "misaligned address"},
    {719, "cudaErrorLaunchFailure", "unspecified launch failure"},
    {800, "cudaErrorNotPermitted", "operation not permitted"},
    {801, "cudaErrorNotSupported", "operation not supported"},
    {999, "cudaErrorUnknown", "unknown error"},
};

#define UNRECOGNIZED "unrecognized error code"

const char *cudaGetErrorName(cudaError_t error)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == (int) error) {
            return errors[i].name;
        }
    }
    return UNRECOGNIZED;
}

const char *cudaGetErrorString(cudaError_t error)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == (int) error) {
            return errors[i].text;
        }
    }
    return UNRECOGNIZED;
}

/* ---------------------------------------------------------------------------------------------------------
 * Versions, errors, devices
 */

__attribute__((visibility("default"))) const char *gemmcostStandinDescription(void)
{
    return "gemmcost CUDA stand-in " STR(STANDIN_MAJOR)
           ": simulated, no GPU; times come from a virtual clock, never a measurement";
}

cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)
{
    if (runtimeVersion == NULL) {
        return cudaErrorInvalidValue;
    }
    *runtimeVersion = RUNTIME_VERSION;
    return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int *driverVersion)
{
    pthread_once(&init_once, init);
    if (driverVersion == NULL) {
        return cudaErrorInvalidValue;
    }
    *driverVersion = cfg.driver_version;
    return cudaSuccess;
}

cudaError_t cudaGetLastError(void)
{
    enter();
    cudaError_t e = sticky != cudaSuccess ? sticky : last_error;
    last_error = cudaSuccess;
    pthread_mutex_unlock(&lock);
    return e;
}

cudaError_t cudaPeekAtLastError(void)
{
    enter();
    cudaError_t e = sticky != cudaSuccess ? sticky : last_error;
    pthread_mutex_unlock(&lock);
    return e;
}

cudaError_t cudaGetDeviceCount(int *count)
{
    enter();
    if (count == NULL) {
        return leave(cudaErrorInvalidValue);
    }
    cudaError_t e = usable();
    *count = e == cudaSuccess ? n_visible : 0;
    return leave(e);
}

cudaError_t cudaSetDevice(int device)
{
    ENTER_USABLE(e);
    if (device < 0 || device >= n_visible) {
        return leave(cudaErrorInvalidDevice);
    }
    current_ordinal = device;
    return leave(cudaSuccess);
}

cudaError_t cudaGetDevice(int *device)
{
    ENTER_USABLE(e);
    if (device == NULL) {
        return leave(cudaErrorInvalidValue);
    }
    *device = current_ordinal;
    return leave(cudaSuccess);
}

cudaError_t cudaDeviceSynchronize(void)
{
    enter();
    cudaError_t e = usable();
    if (e == cudaSuccess) {
        e = drain_device(visible[current_ordinal]);
        reap_all();
    }
    return leave(e);
}

cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)
{
    ENTER_USABLE(e);
    if (device < 0 || device >= n_visible) {
        return leave(cudaErrorInvalidDevice);
    }
    if (value == NULL) {
        return leave(cudaErrorInvalidValue);
    }
    int p = visible[device];
    int v;
    switch ((int) attr) {
    case cudaDevAttrMaxThreadsPerBlock:
        v = 1024;
        break;
    case cudaDevAttrWarpSize:
        v = 32;
        break;
    case cudaDevAttrMultiProcessorCount:
        v = GEMMCOST_STANDIN_SM_COUNT;
        break;
    case cudaDevAttrPciBusId:
        v = (int) gemmcost_standin_device_bus(p);
        break;
    case cudaDevAttrPciDeviceId:
    case cudaDevAttrPciDomainId:
        v = 0;
        break;
    case cudaDevAttrMemoryClockRate:
        v = GEMMCOST_STANDIN_MEM_CLOCK_KHZ;
        break;
    case cudaDevAttrGlobalMemoryBusWidth:
        v = GEMMCOST_STANDIN_MEM_BUS_BITS;
        break;
    case cudaDevAttrL2CacheSize:
        v = GEMMCOST_STANDIN_L2_BYTES;
        break;
    case cudaDevAttrComputeCapabilityMajor:
        v = GEMMCOST_STANDIN_CC_MAJOR;
        break;
    case cudaDevAttrComputeCapabilityMinor:
        v = GEMMCOST_STANDIN_CC_MINOR;
        break;
    default:
        return leave(cudaErrorInvalidValue);
    }
    *value = v;
    return leave(cudaSuccess);
}

cudaError_t cudaDeviceGetPCIBusId(char *pciBusId, int len, int device)
{
    ENTER_USABLE(e);
    if (device < 0 || device >= n_visible) {
        return leave(cudaErrorInvalidDevice);
    }
    if (pciBusId == NULL || len <= 0) {
        return leave(cudaErrorInvalidValue);
    }
    char id[GEMMCOST_STANDIN_BUS_ID_LEN];
    gemmcost_standin_device_bus_id(visible[device], id);
    snprintf(pciBusId, (size_t) len, "%s", id); /* truncated to len, like the runtime */
    return leave(cudaSuccess);
}

cudaError_t cudaDeviceGetByPCIBusId(int *device, const char *pciBusId)
{
    ENTER_USABLE(e);
    if (device == NULL || pciBusId == NULL) {
        return leave(cudaErrorInvalidValue);
    }
    int p = gemmcost_standin_device_by_bus_id(pciBusId);
    if (p == -2) {
        return leave(cudaErrorInvalidValue);
    }
    if (p < 0 || ordinal_of[p] < 0) {
        return leave(cudaErrorInvalidDevice);
    }
    *device = ordinal_of[p];
    return leave(cudaSuccess);
}

/* ---------------------------------------------------------------------------------------------------------
 * Memory
 */

cudaError_t cudaMemGetInfo(size_t *free, size_t *total)
{
    ENTER_USABLE(e);
    if (free == NULL || total == NULL) {
        return leave(cudaErrorInvalidValue);
    }
    sim_device *d = current_device();
    *total = (size_t) cfg.memory_bytes;
    *free = (size_t) (cfg.memory_bytes - d->used);
    return leave(cudaSuccess);
}

cudaError_t cudaMalloc(void **devPtr, size_t size)
{
    ENTER_USABLE(e);
    if (devPtr == NULL) {
        return leave(cudaErrorInvalidValue);
    }
    if (size == 0) {
        *devPtr = NULL;
        return leave(cudaSuccess);
    }
    int p = visible[current_ordinal];
    sim_device *d = &devs[p];
    if (size > cfg.memory_bytes || round_up(size, ALIGNMENT) > cfg.memory_bytes - d->used) {
        return leave(cudaErrorMemoryAllocation);
    }
    uint64_t need = round_up(size, ALIGNMENT);
    allocation al = {0, size, p, NULL};
    if (size <= cfg.virtual_above) {
        if ((al.host = malloc(size)) == NULL) {
            return leave(cudaErrorMemoryAllocation);
        }
        memset(al.host, 0xFF, size); /* uninitialised memory reads as NaN in fp32, fp16 and bf16 */
    }
    uint64_t next = d->next;
    if ((al.base = place(d, p, need)) == 0 || !insert_allocation(al)) {
        d->next = next;
        free(al.host);
        return leave(cudaErrorMemoryAllocation);
    }
    d->used += need;
    *devPtr = (void *) (uintptr_t) al.base;
    if (cfg.trace != NULL) { /* traced at the call (no stream, no clock): memory exists only in a context */
        fprintf(cfg.trace, "device=%d stream=none op=malloc start_ns=%.3f end_ns=%.3f bytes=%zu flops=0 name=-\n", p,
                d->clock_ns, d->clock_ns, size);
        fflush(cfg.trace);
    }
    return leave(cudaSuccess);
}

cudaError_t cudaFree(void *devPtr)
{
    enter();
    cudaError_t e = usable();
    if (e != cudaSuccess || devPtr == NULL) {
        return leave(e);
    }
    long i = find_allocation((uint64_t) (uintptr_t) devPtr);
    if (i < 0 || allocs[i].base != (uint64_t) (uintptr_t) devPtr) {
        return leave(cudaErrorInvalidValue);
    }
    /* cudaFree synchronises: work queued on the allocation's device executes first. */
    int p = allocs[i].dev;
    if ((e = drain_device(p)) != cudaSuccess) {
        return leave(e);
    }
    reap_all();
    i = find_allocation((uint64_t) (uintptr_t) devPtr);
    devs[p].used -= round_up(allocs[i].size, ALIGNMENT);
    free(allocs[i].host);
    memmove(&allocs[i], &allocs[i + 1], (n_allocs - (size_t) i - 1) * sizeof *allocs);
    n_allocs--;
    return leave(cudaSuccess);
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
{
    ENTER_USABLE(e);
    op *o;
    if ((e = make_copy(dst, src, count, kind, 0, &o)) != cudaSuccess || o == NULL) {
        return leave(e);
    }
    return leave(run_now(o, device_of(dst), device_of(src)));
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)
{
    ENTER_USABLE(e);
    sim_stream *s = stream_of(stream, visible[current_ordinal]);
    if (s == NULL) {
        return leave(cudaErrorInvalidResourceHandle);
    }
    op *o;
    if ((e = make_copy(dst, src, count, kind, 1, &o)) != cudaSuccess || o == NULL) {
        return leave(e);
    }
    push(s, o);
    return leave(cudaSuccess);
}

/* Validates a memset and builds its operation (NULL with cudaSuccess: nothing to do). */
static cudaError_t make_memset(void *devPtr, int value, size_t count, op **out)
{
    *out = NULL;
    if (count == 0) {
        return cudaSuccess;
    }
    if (resolve_range((uint64_t) (uintptr_t) devPtr, count) == NULL) {
        return cudaErrorInvalidValue;
    }
    op *o = new_op(OP_MEMSET);
    if (o == NULL) {
        return cudaErrorMemoryAllocation;
    }
    o->dst = (uint64_t) (uintptr_t) devPtr;
    o->bytes = count;
    o->value = value;
    *out = o;
    return cudaSuccess;
}

cudaError_t cudaMemset(void *devPtr, int value, size_t count)
{
    ENTER_USABLE(e);
    op *o;
    if ((e = make_memset(devPtr, value, count, &o)) != cudaSuccess || o == NULL) {
        return leave(e);
    }
    return leave(run_now(o, device_of(devPtr), -1));
}

cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)
{
    ENTER_USABLE(e);
    sim_stream *s = stream_of(stream, visible[current_ordinal]);
    if (s == NULL) {
        return leave(cudaErrorInvalidResourceHandle);
    }
    op *o;
    if ((e = make_memset(devPtr, value, count, &o)) != cudaSuccess || o == NULL) {
        return leave(e);
    }
    push(s, o);
    return leave(cudaSuccess);
}

/* ---------------------------------------------------------------------------------------------------------
 * Streams
 */

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)
{
    ENTER_USABLE(e);
    if (pStream == NULL || (flags & ~(unsigned) cudaStreamNonBlocking) != 0 || n_stream_ids >= (size_t) INT_MAX) {
        return leave(cudaErrorInvalidValue);
    }
    int p = visible[current_ordinal];
    sim_device *d = &devs[p];
    sim_stream **table = reserve(stream_table, n_stream_ids, &cap_stream_ids, sizeof *table);
    if (table != NULL) {
        stream_table = table;
    }
    sim_stream **streams = reserve(d->streams, d->n_streams, &d->cap_streams, sizeof *streams);
    if (streams != NULL) {
        d->streams = streams;
    }
    sim_stream *s = table != NULL && streams != NULL ? calloc(1, sizeof *s) : NULL;
    if (s == NULL) {
        return leave(cudaErrorMemoryAllocation);
    }
    s->id = (int) (n_stream_ids + 1);
    s->dev = p;
    s->flags = flags;
    stream_table[n_stream_ids++] = s;
    d->streams[d->n_streams++] = s;
    *pStream = stream_handle(s->id);
    return leave(cudaSuccess);
}

cudaError_t cudaStreamCreate(cudaStream_t *pStream)
{
    return cudaStreamCreateWithFlags(pStream, cudaStreamDefault);
}

cudaError_t cudaStreamDestroy(cudaStream_t stream)
{
    ENTER_USABLE(e);
    sim_stream *s = is_default_stream(stream) ? NULL : stream_of(stream, 0);
    if (s == NULL) {
        return leave(cudaErrorInvalidResourceHandle);
    }
    /* Work already queued still executes, at the next sync point that reaches it. */
    s->destroyed = 1;
    reap(&devs[s->dev]);
    return leave(cudaSuccess);
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream)
{
    ENTER_USABLE(e);
    sim_stream *s = stream_of(stream, visible[current_ordinal]);
    if (s == NULL) {
        return leave(cudaErrorInvalidResourceHandle);
    }
    e = run_stream_all(s);
    reap_all();
    return leave(e);
}

/* ---------------------------------------------------------------------------------------------------------
 * Events
 */

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)
{
    ENTER_USABLE(e);
    unsigned known = cudaEventBlockingSync | cudaEventDisableTiming | cudaEventInterprocess;
    if (event == NULL || (flags & ~known) != 0
            || ((flags & cudaEventInterprocess) && !(flags & cudaEventDisableTiming))
            || n_event_ids >= (size_t) INT_MAX) {
        return leave(cudaErrorInvalidValue);
    }
    sim_event **table = reserve(event_table, n_event_ids, &cap_event_ids, sizeof *table);
    if (table != NULL) {
        event_table = table;
    }
    sim_event *ev = table != NULL ? calloc(1, sizeof *ev) : NULL;
    if (ev == NULL) {
        return leave(cudaErrorMemoryAllocation);
    }
    ev->id = (int) (n_event_ids + 1);
    ev->dev = visible[current_ordinal];
    ev->flags = flags;
    ev->state = EVENT_NEVER_RECORDED;
    event_table[n_event_ids++] = ev;
    *event = event_handle(ev->id);
    return leave(cudaSuccess);
}

cudaError_t cudaEventCreate(cudaEvent_t *event)
{
    return cudaEventCreateWithFlags(event, cudaEventDefault);
}

cudaError_t cudaEventDestroy(cudaEvent_t event)
{
    ENTER_USABLE(e);
    sim_event *ev = event_of(event);
    if (ev == NULL) {
        return leave(cudaErrorInvalidResourceHandle);
    }
    /* A record of it still queued finds no event when it executes (it is only traced). */
    event_table[ev->id - 1] = NULL;
    free(ev);
    return leave(cudaSuccess);
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
{
    ENTER_USABLE(e);
    sim_event *ev = event_of(event);
    sim_stream *s = stream_of(stream, visible[current_ordinal]);
    if (ev == NULL || s == NULL || s->dev != ev->dev) { /* event and stream must share a device */
        return leave(cudaErrorInvalidResourceHandle);
    }
    op *o = new_op(OP_EVENT);
    if (o == NULL) {
        return leave(cudaErrorMemoryAllocation);
    }
    o->event = ev->id;
    o->event_gen = ++ev->gen;
    push(s, o);
    ev->state = EVENT_PENDING;
    ev->stream_id = s->id;
    ev->seq = o->seq;
    return leave(cudaSuccess);
}

cudaError_t cudaEventQuery(cudaEvent_t event)
{
    ENTER_USABLE(e);
    sim_event *ev = event_of(event);
    if (ev == NULL) {
        return leave(cudaErrorInvalidResourceHandle);
    }
    /* Executes nothing: work only runs at synchronisation points. */
    return leave(ev->state == EVENT_PENDING ? cudaErrorNotReady : cudaSuccess);
}

cudaError_t cudaEventSynchronize(cudaEvent_t event)
{
    ENTER_USABLE(e);
    sim_event *ev = event_of(event);
    if (ev == NULL) {
        return leave(cudaErrorInvalidResourceHandle);
    }
    if (ev->state == EVENT_PENDING) { /* never recorded or complete: nothing to wait for */
        sim_stream *s = stream_by_id(ev->stream_id, ev->dev);
        e = s != NULL ? run_stream(s, ev->seq) : cudaSuccess;
        reap_all();
    }
    return leave(e);
}

cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)
{
    ENTER_USABLE(e);
    sim_event *a = event_of(start);
    sim_event *b = event_of(end);
    if (ms == NULL) {
        return leave(cudaErrorInvalidValue);
    }
    if (a == NULL || b == NULL || (a->flags & cudaEventDisableTiming) || (b->flags & cudaEventDisableTiming)
            || a->state == EVENT_NEVER_RECORDED || b->state == EVENT_NEVER_RECORDED || a->dev != b->dev) {
        return leave(cudaErrorInvalidResourceHandle);
    }
    if (a->state != EVENT_COMPLETE || b->state != EVENT_COMPLETE) {
        return leave(cudaErrorNotReady);
    }
    *ms = (float) ((b->timestamp_ns - a->timestamp_ns) / 1e6);
    return leave(cudaSuccess);
}

/* ---------------------------------------------------------------------------------------------------------
 * The private interface for libcublas (standin.h)
 */

cudaError_t gemmcost_standin_enqueue(cudaStream_t handle, int device, const gemmcost_standin_op *work)
{
    enter();
    cudaError_t e = usable();
    sim_stream *s = NULL;
    op *o = NULL;
    if (e == cudaSuccess && (device < 0 || device >= n_visible)) {
        e = cudaErrorInvalidDevice;
    }
    if (e == cudaSuccess && ((s = stream_of(handle, visible[device])) == NULL || s->dev != visible[device])) {
        e = cudaErrorInvalidResourceHandle;
    }
    if (e == cudaSuccess && (o = new_op(OP_EXTERNAL)) == NULL) {
        e = cudaErrorMemoryAllocation;
    }
    if (e != cudaSuccess) {
        pthread_mutex_unlock(&lock);
        if (work->release != NULL) {
            work->release(work->payload);
        }
        return e;
    }
    o->ext = *work;
    push(s, o);
    pthread_mutex_unlock(&lock);
    return cudaSuccess;
}

cudaError_t gemmcost_standin_resolve(const void *dev_ptr, size_t bytes, void **host_or_null, int *device)
{
    enter();
    allocation *al = resolve_range((uint64_t) (uintptr_t) dev_ptr, bytes);
    if (al != NULL) {
        if (host_or_null != NULL) {
            *host_or_null = host_of(al, (uint64_t) (uintptr_t) dev_ptr);
        }
        if (device != NULL) {
            *device = ordinal_of[al->dev];
        }
    }
    pthread_mutex_unlock(&lock);
    return al != NULL ? cudaSuccess : cudaErrorInvalidValue;
}

int gemmcost_standin_is_device_address(const void *p)
{
    pthread_once(&init_once, init);
    return in_device_range((uint64_t) (uintptr_t) p);
}

cudaError_t gemmcost_standin_sticky(void)
{
    enter();
    cudaError_t e = sticky;
    pthread_mutex_unlock(&lock);
    return e;
}
