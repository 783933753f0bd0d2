/*
 * hal.h - the small hardware interface the firmware application runs on.
 *
 * A board port fills a hal_t and hands it to app_init(). The application
 * never touches registers or the OS: every byte to or from the link and every
 * clock reading goes through these callbacks, with ctx passed back unchanged.
 */
#ifndef HAL_H
#define HAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    void *ctx; /**< port state, passed to every callback */

    /**
     * Queue bytes for the link. Blocks until every byte is accepted.
     * @return len, or a negative errno value if the link failed.
     */
    int (*link_write)(void *ctx, const uint8_t *buf, size_t len);

    /**
     * Take received link bytes without blocking.
     * @return bytes copied into buf (0 if none), or a negative errno value
     *         (-EPIPE when the link is closed for good).
     */
    int (*link_read)(void *ctx, uint8_t *buf, size_t cap);

    /** Milliseconds since boot (wraps after 49 days). */
    uint32_t (*millis)(void *ctx);

    /** Sleep until something may have happened (interrupt or timeout). */
    void (*idle)(void *ctx);

    /**
     * Crash on purpose so the fault path can be tested (CMD FAULT_TEST).
     * NULL if the port has no such test; it never returns otherwise.
     */
    void (*fault_test)(void *ctx);

    /** Board name reported in HELLO, at most 16 characters. */
    const char *board_name;

    /**
     * Bytes of link input the port holds unread, announced in HELLO (the rig keeps
     * no more than this unacknowledged); 0 means the receive ring, FW_RX_RING_BYTES.
     */
    uint16_t rx_buffer_bytes;
} hal_t;

#endif /* HAL_H */
