/*
 * fuzz_codec.c - libFuzzer target: every unpack and pack function of the generated message codec
 * (gen/frame_msgs.c), host-to-firmware and firmware-to-host alike. The first input byte picks the
 * message, the second the room the packer gets (an exactly sized heap buffer, so a write past it
 * is an ASan report), the rest is the payload. A payload that unpacks must pack back to the same
 * length and, but for the board name's bytes after its end, the same bytes; a packer given less
 * room than the message needs must refuse it (-ENOSPC) and write nothing past its room.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Unpack, then pack into `room` bytes; abort on any broken promise. */
#define ROUND_TRIP(T, NAME, EXACT)                                                     \
    do {                                                                               \
        T m;                                                                           \
        if (frame_unpack_##NAME(&m, pay, len) != 0) break;                            \
        uint8_t *out = malloc(room ? room : 1u);                                       \
        if (out == NULL) abort();                                                      \
        int n = frame_pack_##NAME(&m, out, room);                                      \
        if (room >= len) {                                                             \
            if (n != (int)len) abort();                                                \
            if ((EXACT) && memcmp(out, pay, len) != 0) abort();                        \
            T again;                                                                   \
            if (frame_unpack_##NAME(&again, out, (size_t)n) != 0) abort();             \
        } else if (n != -ENOSPC) {                                                     \
            abort();                                                                   \
        }                                                                              \
        free(out);                                                                     \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const uint8_t which = data[0];
    const size_t len = size - 2;
    /* room: mostly enough, sometimes a little short */
    const size_t room = (data[1] & 0x80u) ? len : (len > (size_t)(data[1] & 0x0Fu) ? len - (data[1] & 0x0Fu) : 0u);
    const uint8_t *pay = data + 2;
    switch (which % 15u) {
    case 0: ROUND_TRIP(frame_config_t, config, 1); break;
    case 1: ROUND_TRIP(frame_sample_batch_t, sample_batch, 1); break;
    case 2: ROUND_TRIP(frame_cmd_t, cmd, 1); break;
    case 3: ROUND_TRIP(frame_hello_t, hello, 0); break; /* the board name ends at its first NUL */
    case 4: ROUND_TRIP(frame_ack_t, ack, 1); break;
    case 5: ROUND_TRIP(frame_stride_t, stride, 1); break;
    case 6: ROUND_TRIP(frame_summary_t, summary, 1); break;
    case 7: ROUND_TRIP(frame_status_t, status, 1); break;
    case 8: ROUND_TRIP(frame_fault_t, fault, 1); break;
    case 9: ROUND_TRIP(frame_log_t, log, 1); break;
    case 10: ROUND_TRIP(frame_gatt_read_t, gatt_read, 1); break;
    case 11: ROUND_TRIP(frame_gatt_write_t, gatt_write, 1); break;
    case 12: ROUND_TRIP(frame_rsc_measurement_t, rsc_measurement, 1); break;
    case 13: ROUND_TRIP(frame_gatt_value_t, gatt_value, 1); break;
    default: ROUND_TRIP(frame_raw_batch_t, raw_batch, 1); break;
    }
    return 0;
}
