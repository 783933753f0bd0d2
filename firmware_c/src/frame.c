/* frame.c - link envelope: CRC-16/CCITT-FALSE, COBS, header. See frame.h. */
#include "frame.h"

#include <errno.h>
#include <string.h>

/* CRC of each 4-bit value shifted through the polynomial: a nibble at a time
 * is four times fewer steps than bit by bit for 32 bytes of table. */
static const uint16_t crc16_nibble[16] = {
    0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50A5, 0x60C6, 0x70E7,
    0x8108, 0x9129, 0xA14A, 0xB16B, 0xC18C, 0xD1AD, 0xE1CE, 0xF1EF,
};

uint16_t frame_crc16(const uint8_t *data, size_t len) {
    uint16_t crc = 0xFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc = (uint16_t)((crc << 4) ^ crc16_nibble[(crc >> 12) ^ (data[i] >> 4)]);
        crc = (uint16_t)((crc << 4) ^ crc16_nibble[(crc >> 12) ^ (data[i] & 0x0Fu)]);
    }
    return crc;
}

int frame_cobs_encode(const uint8_t *src, size_t len, uint8_t *dst, size_t cap) {
    if (cap + 1u < FRAME_WIRE_BYTES(len)) return -ENOSPC;
    size_t code_at = 0, out = 1;
    uint8_t code = 1;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == 0) {
            dst[code_at] = code;
            code_at = out++;
            code = 1;
        } else {
            dst[out++] = src[i];
            if (++code == 0xFFu) {
                dst[code_at] = code;
                code_at = out++;
                code = 1;
            }
        }
    }
    dst[code_at] = code;
    return (int)out;
}

int frame_cobs_decode(const uint8_t *src, size_t len, uint8_t *dst, size_t cap) {
    size_t in = 0, out = 0;
    while (in < len) {
        uint8_t code = src[in++];
        if (code == 0 || in + code - 1u > len) return -EBADMSG;
        for (uint8_t k = 1; k < code; k++) {
            if (out >= cap) return -ENOSPC;
            if (src[in] == 0) return -EBADMSG;
            dst[out++] = src[in++];
        }
        if (code != 0xFFu && in < len) {
            if (out >= cap) return -ENOSPC;
            dst[out++] = 0;
        }
    }
    return (int)out;
}

int frame_encode(uint8_t type, uint16_t seq, const uint8_t *payload, size_t len,
                 uint8_t *out, size_t cap) {
    uint8_t raw[FW_MAX_FRAME_BYTES];
    size_t n = FRAME_HEADER_BYTES + len + FRAME_CRC_BYTES;
    if (n > sizeof raw) return -ENOSPC;
    raw[0] = FRAME_PROTOCOL_VERSION;
    raw[1] = type;
    raw[2] = (uint8_t)seq;
    raw[3] = (uint8_t)(seq >> 8);
    raw[4] = (uint8_t)len;
    raw[5] = (uint8_t)(len >> 8);
    if (len) memcpy(raw + FRAME_HEADER_BYTES, payload, len);
    uint16_t crc = frame_crc16(raw, n - FRAME_CRC_BYTES);
    raw[n - 2] = (uint8_t)crc;
    raw[n - 1] = (uint8_t)(crc >> 8);
    if (cap < FRAME_WIRE_BYTES(n)) return -ENOSPC;
    int w = frame_cobs_encode(raw, n, out, cap - 1u);
    if (w < 0) return w;
    out[w] = 0;
    return w + 1;
}

void frame_rx_init(frame_rx_t *rx) {
    rx->used = 0;
    rx->overlong = 0;
}

int frame_rx_byte(frame_rx_t *rx, uint8_t byte, frame_view_t *out) {
    if (byte != 0) {
        if (rx->used < sizeof rx->buf) {
            rx->buf[rx->used++] = byte;
        } else {
            rx->overlong = 1;
        }
        return 0;
    }
    size_t used = rx->used;
    uint8_t overlong = rx->overlong;
    frame_rx_init(rx);
    if (used == 0) return 0; /* idle delimiter */
    if (overlong) return -EMSGSIZE;
    int n = frame_cobs_decode(rx->buf, used, rx->buf, sizeof rx->buf);
    if (n < (int)(FRAME_HEADER_BYTES + FRAME_CRC_BYTES)) return n == -ENOSPC ? -EMSGSIZE : -EBADMSG;
    const uint8_t *r = rx->buf;
    uint16_t crc = (uint16_t)(r[n - 2] | (r[n - 1] << 8));
    if (crc != frame_crc16(r, (size_t)n - FRAME_CRC_BYTES)) return -EBADMSG;
    size_t len = (size_t)(r[4] | (r[5] << 8));
    if (r[0] != FRAME_PROTOCOL_VERSION || len != (size_t)n - FRAME_HEADER_BYTES - FRAME_CRC_BYTES) {
        return -EBADMSG;
    }
    out->type = r[1];
    out->seq = (uint16_t)(r[2] | (r[3] << 8));
    out->payload = r + FRAME_HEADER_BYTES;
    out->len = len;
    return 1;
}
