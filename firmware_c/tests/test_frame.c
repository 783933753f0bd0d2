/* Unit tests of the link envelope: COBS edge cases, corruption, resync, overlong frames. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "frame.h"


static void test_cobs_roundtrip(void) {
    uint8_t src[600], enc[FRAME_WIRE_BYTES(600)], dec[600];
    const size_t lens[] = {0, 1, 253, 254, 255, 508, 600};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        for (size_t i = 0; i < lens[k]; i++) src[i] = (uint8_t)(k == 2 ? 0 : (i % 7 ? i : 0) + (i % 251 ? 0 : 1));
        int n = frame_cobs_encode(src, lens[k], enc, sizeof enc);
        CHECK(n > 0, "%s", "n > 0");
        for (int i = 0; i < n; i++) CHECK(enc[i] != 0, "%s", "enc[i] != 0");
        int m = frame_cobs_decode(enc, (size_t)n, dec, sizeof dec);
        CHECK(m == (int)lens[k], "%s", "m == (int)lens[k]");
        CHECK(memcmp(src, dec, lens[k]) == 0, "%s", "memcmp(src, dec, lens[k]) == 0");
    }
    /* A code byte pointing past the end is corrupt. */
    const uint8_t bad[] = {0x05, 0x11, 0x22};
    CHECK(frame_cobs_decode(bad, sizeof bad, dec, sizeof dec) == -EBADMSG, "%s", "frame_cobs_decode(bad, sizeof bad, dec, sizeof dec) == -EBADMSG");
}

static int feed(frame_rx_t *rx, const uint8_t *b, size_t n, frame_view_t *v, int *bad) {
    int got = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = frame_rx_byte(rx, b[i], v);
        if (rc == 1) got++;
        if (rc < 0) (*bad)++;
    }
    return got;
}

static void test_corruption_and_resync(void) {
    const uint8_t payload[] = {1, 0, 2, 0, 0, 3};
    uint8_t wire[64];
    int n = frame_encode(FRAME_MSG_LOG, 9, payload, sizeof payload, wire, sizeof wire);
    CHECK(n > 0 && wire[n - 1] == 0, "%s", "n > 0 && wire[n - 1] == 0");
    frame_rx_t rx;
    frame_view_t v;
    int bad = 0;
    frame_rx_init(&rx);
    CHECK(feed(&rx, wire, (size_t)n, &v, &bad) == 1 && bad == 0, "%s", "feed(&rx, wire, (size_t)n, &v, &bad) == 1 && bad == 0");
    CHECK(v.type == FRAME_MSG_LOG && v.seq == 9 && v.len == sizeof payload, "%s", "v.type == FRAME_MSG_LOG && v.seq == 9 && v.len == sizeof payload");
    CHECK(memcmp(v.payload, payload, sizeof payload) == 0, "%s", "memcmp(v.payload, payload, sizeof payload) == 0");

    /* Every single-bit flip of every byte but the delimiter is caught. */
    for (int i = 0; i < n - 1; i++) {
        for (int bit = 0; bit < 8; bit++) {
            uint8_t c[64];
            memcpy(c, wire, (size_t)n);
            c[i] ^= (uint8_t)(1u << bit);
            bad = 0;
            frame_rx_init(&rx);
            int got = feed(&rx, c, (size_t)n, &v, &bad);
            CHECK(got == 0, "%s", "got == 0");
        }
    }

    /* Garbage, a truncated frame, then a good frame: the good one comes through. */
    uint8_t stream[200];
    size_t len = 0;
    const uint8_t junk[] = {0x42, 0x13, 0x00, 0x07};
    memcpy(stream, junk, sizeof junk);
    len += sizeof junk;
    memcpy(stream + len, wire, (size_t)n - 4); /* cut off, no delimiter */
    len += (size_t)n - 4;
    stream[len++] = 0;
    memcpy(stream + len, wire, (size_t)n);
    len += (size_t)n;
    bad = 0;
    frame_rx_init(&rx);
    CHECK(feed(&rx, stream, len, &v, &bad) == 1, "%s", "feed(&rx, stream, len, &v, &bad) == 1");
    CHECK(bad == 2, "%s", "bad == 2");
    CHECK(v.seq == 9, "%s", "v.seq == 9");
}

static void test_overlong(void) {
    frame_rx_t rx;
    frame_view_t v;
    frame_rx_init(&rx);
    int rc = 0;
    for (size_t i = 0; i < sizeof rx.buf + 10; i++) rc = frame_rx_byte(&rx, 0x55, &v);
    CHECK(rc == 0, "%s", "rc == 0");
    CHECK(frame_rx_byte(&rx, 0, &v) == -EMSGSIZE, "%s", "frame_rx_byte(&rx, 0, &v) == -EMSGSIZE");
    uint8_t big[FW_MAX_FRAME_BYTES], wire[8];
    memset(big, 1, sizeof big);
    CHECK(frame_encode(FRAME_MSG_LOG, 0, big, sizeof big, wire, sizeof wire) == -ENOSPC, "%s", "frame_encode(FRAME_MSG_LOG, 0, big, sizeof big, wire, sizeof wire) == -ENOSPC");
}

int main(void) {
    test_cobs_roundtrip();
    test_corruption_and_resync();
    test_overlong();
    printf("test_frame: %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
