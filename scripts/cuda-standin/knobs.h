/*
 * gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
 *
 * knobs.h: reading the CUDA_STANDIN_* environment variables. Header-only (static functions) so that every
 * library of the stand-in parses its knobs the same way without sharing a symbol.
 */
#ifndef GEMMCOST_STANDIN_KNOBS_H
#define GEMMCOST_STANDIN_KNOBS_H

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Parses `text` as an unsigned integer: decimal, or hexadecimal after 0x/0X; blanks around it are allowed.
 * Returns 1 and stores the value, or 0 when the text is not such a number (sign, junk, overflow).
 */
static inline int gemmcost_standin_parse_u64(const char *text, uint64_t *value)
{
    while (isspace((unsigned char) *text)) {
        text++;
    }
    int base = 10;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text += 2;
    }
    if (!isxdigit((unsigned char) *text) || (base == 10 && !isdigit((unsigned char) *text))) {
        return 0;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, base);
    if (errno != 0) {
        return 0;
    }
    while (isspace((unsigned char) *end)) {
        end++;
    }
    if (*end != '\0') {
        return 0;
    }
    *value = (uint64_t) v;
    return 1;
}

/*
 * The knob `name` as an unsigned integer. Unset or empty: `dflt`, and *present (if given) = 0. Not a number: a
 * one-line warning on stderr and `dflt` (present = 0). Libraries call this once, at first use.
 */
static inline uint64_t gemmcost_standin_knob(const char *name, uint64_t dflt, int *present)
{
    const char *text = getenv(name);
    if (present != NULL) {
        *present = 0;
    }
    if (text == NULL || *text == '\0') {
        return dflt;
    }
    uint64_t value;
    if (!gemmcost_standin_parse_u64(text, &value)) {
        fprintf(stderr, "cuda-standin: ignoring %s=%s (not an unsigned integer)\n", name, text);
        return dflt;
    }
    if (present != NULL) {
        *present = 1;
    }
    return value;
}

#endif
