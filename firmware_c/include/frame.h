/*
 * frame.h - the link envelope: header, CRC-16 and COBS framing.
 *
 * On the wire a frame is COBS(version u8 | type u8 | seq u16 | len u16 |
 * payload[len] | crc16 u16) followed by one 0x00 delimiter, little-endian.
 * The payload layouts are generated from frame_spec (gen/frame_msgs.h).
 *
 * Error convention: 0 or a byte count on success, a negative errno value on
 * failure (-ENOSPC: buffer too small, -EBADMSG: corrupt frame).
 */
#ifndef FRAME_H
#define FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "frame_msgs.h"
#include "fw_config.h"

#define FRAME_HEADER_BYTES 6u
#define FRAME_CRC_BYTES 2u
/* Worst-case COBS overhead of n bytes is n/254 + 1, plus the delimiter. */
#define FRAME_WIRE_BYTES(n) ((n) + (n) / 254u + 2u)

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF); "123456789" gives 0x29B1. */
uint16_t frame_crc16(const uint8_t *data, size_t len);

/**
 * COBS-encode len bytes of src into dst (no delimiter added).
 * @return bytes written, or -ENOSPC if cap < FRAME_WIRE_BYTES(len) - 1.
 */
int frame_cobs_encode(const uint8_t *src, size_t len, uint8_t *dst, size_t cap);

/**
 * COBS-decode len bytes (no delimiter) from src into dst; dst may equal src.
 * @return bytes written, -EBADMSG on a zero byte or a code past the end,
 *         -ENOSPC if the output does not fit.
 */
int frame_cobs_decode(const uint8_t *src, size_t len, uint8_t *dst, size_t cap);

/**
 * Build a complete wire frame (COBS + 0x00) around a packed payload.
 * @param type FRAME_MSG_*; @param seq sender's frame counter
 * @return bytes written to out, or -ENOSPC.
 */
int frame_encode(uint8_t type, uint16_t seq, const uint8_t *payload, size_t len,
                 uint8_t *out, size_t cap);

/** A frame as decoded: header fields and a pointer into the receiver's buffer. */
typedef struct {
    uint8_t type;
    uint16_t seq;
    const uint8_t *payload;
    size_t len;
} frame_view_t;

/** Receiver state: bytes since the last delimiter. Caller-owned. */
typedef struct {
    uint8_t buf[FRAME_WIRE_BYTES(FW_MAX_FRAME_BYTES)];
    size_t used;
    uint8_t overlong; /* current frame exceeded buf: drop it at the delimiter */
} frame_rx_t;

/** Reset a receiver. */
void frame_rx_init(frame_rx_t *rx);

/**
 * Feed one received byte.
 * @return 1 when *out holds a valid frame (valid until the next call),
 *         0 when more bytes are needed,
 *         -EBADMSG for a corrupt frame (bad COBS, CRC, version or length),
 *         -EMSGSIZE for a frame longer than FW_MAX_FRAME_BYTES.
 */
int frame_rx_byte(frame_rx_t *rx, uint8_t byte, frame_view_t *out);

#endif /* FRAME_H */
