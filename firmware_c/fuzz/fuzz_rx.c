/*
 * fuzz_rx.c - libFuzzer target: the whole receive path of the application (receive state
 * machine, dispatch, CONFIG, SAMPLE_BATCH into the analyzer, CMD). The input is a sequence of
 * records, so that most of it reaches past the CRC:
 *   0x00-0x7F  T L payload[L]  -> a valid frame of type T & 0x1F with that payload
 *   0x80-0xFF  L bytes[L]      -> L raw bytes (corruption, partial frames, noise)
 * The first input byte sets how many bytes each link read delivers (1..64).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t wire[1 << 16];
    if (size < 1) return 0;
    size_t chunk = (size_t)(data[0] % 64u) + 1u;
    size_t at = 0, i = 1;
    uint16_t seq = 0;
    while (i + 2 <= size) {
        uint8_t kind = data[i], len = data[i + 1];
        i += 2;
        if (i + len > size) len = (uint8_t)(size - i);
        if (kind & 0x80u) {
            if (at + len > sizeof wire) break;
            for (size_t k = 0; k < len; k++) wire[at + k] = data[i + k];
            at += len;
        } else {
            int n = frame_encode((uint8_t)(kind & 0x1Fu), seq++, data + i, len, wire + at, sizeof wire - at);
            if (n < 0) break;
            at += (size_t)n;
        }
        i += len;
    }
    fuzz_link_t l = {.in = wire, .in_len = at, .chunk = chunk};
    fuzz_run_app(&l);
    return 0;
}
