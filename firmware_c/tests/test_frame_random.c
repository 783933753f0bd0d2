/*
 * Seeded random bytes through the firmware's receive path (frame_rx_byte) and every unpack
 * function of the generated codec, under ASan and UBSan (make test). Deterministic: the same
 * seed gives the same bytes on every run.
 *
 * Promises checked: frame_rx_byte answers only 1, 0, -EBADMSG or -EMSGSIZE whatever arrives; a
 * valid frame after any garbage and a delimiter comes through whole (type, seq, payload); a
 * frame it accepts holds exactly the length its header says; an unpack function given any bytes
 * answers 0 or -EBADMSG, and what it accepts packs back to as many bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "frame.h"

/* xorshift32: a small deterministic generator, the same on every host. */
static uint32_t rng_state = 0x2545F491u;

static uint32_t rnd(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static uint32_t below(uint32_t n) { return n ? rnd() % n : 0u; }

/* A byte that is zero with probability 1/zero_odds (garbage with and without delimiters). */
static uint8_t noise_byte(uint32_t zero_odds) {
    if (below(zero_odds) == 0) return 0;
    return (uint8_t)(1u + below(255u));
}

static int rx_result_known(int rc) { return rc == 1 || rc == 0 || rc == -EBADMSG || rc == -EMSGSIZE; }

/* Garbage (random length, random density of zeros, sometimes longer than the receive buffer),
 * a delimiter, then a valid frame of random type, seq and payload: that frame comes through. */
static void test_valid_frame_after_garbage(void) {
    static uint8_t wire[FRAME_WIRE_BYTES(FW_MAX_FRAME_BYTES)];
    static uint8_t payload[FW_MAX_FRAME_BYTES];
    frame_rx_t rx;
    frame_view_t v;
    int unknown = 0, lost = 0;
    for (int round = 0; round < 20000; round++) {
        frame_rx_init(&rx);
        const uint32_t zero_odds = 1u + below(600u);
        const uint32_t garbage = below(round % 10 == 0 ? 2u * (uint32_t)sizeof rx.buf : 300u);
        for (uint32_t i = 0; i < garbage; i++) {
            int rc = frame_rx_byte(&rx, noise_byte(zero_odds), &v);
            if (!rx_result_known(rc)) unknown++;
            if (rc == 1) CHECK(v.len <= FW_MAX_FRAME_BYTES - FRAME_HEADER_BYTES - FRAME_CRC_BYTES, "len %zu", v.len);
        }
        const uint8_t type = (uint8_t)rnd();
        const uint16_t seq = (uint16_t)rnd();
        const size_t len = below(FW_MAX_FRAME_BYTES - FRAME_HEADER_BYTES - FRAME_CRC_BYTES + 1u);
        for (size_t i = 0; i < len; i++) payload[i] = (uint8_t)(below(4u) ? rnd() : 0u);
        int n = frame_encode(type, seq, payload, len, wire, sizeof wire);
        CHECK(n > 0, "frame_encode of %zu bytes: %d", len, n);
        if (n <= 0) continue;
        int got = 0;
        (void)frame_rx_byte(&rx, 0, &v); /* the delimiter ends whatever the garbage left */
        for (int i = 0; i < n; i++) {
            int rc = frame_rx_byte(&rx, wire[i], &v);
            if (!rx_result_known(rc)) unknown++;
            if (rc == 1) got++;
        }
        if (got != 1 || v.type != type || v.seq != seq || v.len != len || (len && memcmp(v.payload, payload, len) != 0)) {
            lost++;
        }
    }
    CHECK(unknown == 0, "%d results other than 1, 0, -EBADMSG, -EMSGSIZE", unknown);
    CHECK(lost == 0, "%d valid frame(s) after garbage lost or altered", lost);
}

/* Valid frames with bytes changed at random: never a crash, and whatever is accepted says a
 * length that matches its bytes. */
static void test_mutated_frames(void) {
    static uint8_t wire[FRAME_WIRE_BYTES(FW_MAX_FRAME_BYTES)];
    uint8_t payload[64];
    frame_rx_t rx;
    frame_view_t v;
    int unknown = 0;
    for (int round = 0; round < 100000; round++) {
        const size_t len = below(sizeof payload + 1u);
        for (size_t i = 0; i < len; i++) payload[i] = (uint8_t)rnd();
        int n = frame_encode((uint8_t)rnd(), (uint16_t)rnd(), payload, len, wire, sizeof wire);
        if (n <= 0) continue;
        for (uint32_t k = 1u + below(3u); k > 0; k--) wire[below((uint32_t)n)] = (uint8_t)rnd();
        frame_rx_init(&rx);
        for (int i = 0; i < n; i++) {
            int rc = frame_rx_byte(&rx, wire[i], &v);
            if (!rx_result_known(rc)) unknown++;
            if (rc == 1) CHECK(v.payload >= rx.buf && v.payload + v.len <= rx.buf + sizeof rx.buf, "%s", "view in buffer");
        }
        (void)frame_rx_byte(&rx, 0, &v);
    }
    CHECK(unknown == 0, "%d results other than 1, 0, -EBADMSG, -EMSGSIZE", unknown);
}

/* Any bytes through every unpack function: 0 or -EBADMSG; an accepted payload packs back whole. */
#define UNPACK_REPACK(T, NAME)                                                              \
    do {                                                                                    \
        T m;                                                                                \
        int rc = frame_unpack_##NAME(&m, buf, len);                                         \
        if (rc != 0 && rc != -EBADMSG) bad_rc++;                                            \
        if (rc == 0) {                                                                      \
            accepted++;                                                                     \
            int n = frame_pack_##NAME(&m, out, sizeof out);                                 \
            if (n != (int)len) repack++;                                                    \
        }                                                                                   \
    } while (0)

static void test_unpack_any_bytes(void) {
    static uint8_t buf[FW_MAX_FRAME_BYTES], out[FW_MAX_FRAME_BYTES];
    int bad_rc = 0, repack = 0, accepted = 0;
    for (int round = 0; round < 300000; round++) {
        /* lengths near every message's own size are the interesting ones: mostly short */
        const size_t len = below(8u) ? below(48u) : below(sizeof buf + 1u);
        for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)rnd();
        if (len >= 5u && below(2u)) buf[4] = (uint8_t)below(34u); /* a batch count near its limit */
        switch (round % 15) {
        case 0: UNPACK_REPACK(frame_config_t, config); break;
        case 1: UNPACK_REPACK(frame_sample_batch_t, sample_batch); break;
        case 2: UNPACK_REPACK(frame_cmd_t, cmd); break;
        case 3: UNPACK_REPACK(frame_hello_t, hello); break;
        case 4: UNPACK_REPACK(frame_ack_t, ack); break;
        case 5: UNPACK_REPACK(frame_stride_t, stride); break;
        case 6: UNPACK_REPACK(frame_summary_t, summary); break;
        case 7: UNPACK_REPACK(frame_status_t, status); break;
        case 8: UNPACK_REPACK(frame_fault_t, fault); break;
        case 9: UNPACK_REPACK(frame_log_t, log); break;
        case 10: UNPACK_REPACK(frame_gatt_read_t, gatt_read); break;
        case 11: UNPACK_REPACK(frame_gatt_write_t, gatt_write); break;
        case 12: UNPACK_REPACK(frame_rsc_measurement_t, rsc_measurement); break;
        case 13: UNPACK_REPACK(frame_gatt_value_t, gatt_value); break;
        default: UNPACK_REPACK(frame_raw_batch_t, raw_batch); break;
        }
    }
    CHECK(bad_rc == 0, "%d unpack results other than 0 and -EBADMSG", bad_rc);
    CHECK(repack == 0, "%d accepted payloads did not pack back to their length", repack);
    CHECK(accepted > 0, "%s", "no random payload was ever accepted: the lengths drawn miss every message");
}

int main(void) {
    test_valid_frame_after_garbage();
    test_mutated_frames();
    test_unpack_any_bytes();
    printf("test_frame_random: %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
