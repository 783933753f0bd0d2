/*
 * emu.c - paths only an emulator asks for, through a mailbox it preloads.
 * See stm32f4_port.h for why this is inert on a board.
 *
 * Bulk link input: the UART model of QEMU moves about 17 kB/s, so long
 * replays read the bytes the rig would have sent over the link from a host
 * file instead (ARM semihosting SYS_READ, a few microseconds per call). The
 * bytes are the same frames, decoded by the same application code; answers
 * still leave through USART2. Bytes arriving on USART2 meanwhile only wake
 * the core: the rig sends STM32_EMU_DOORBELL after appending to the file and
 * STM32_EMU_LINK_CLOSED when its side of the link closes.
 *
 * Bulk link output (STM32_EMU_BULK_TX): QEMU's USART model hands each byte to
 * its host socket on its own (a system call and a wake-up of QEMU's main loop
 * per byte, most of the emulator's time in a long replay), so answers go to a
 * host FIFO with one SYS_WRITE per frame instead, which the rig's relay reads.
 * The fault handler still reports on USART2 (polled, RAM in any state): the
 * relay passes on what the FIFO holds before anything from USART2.
 */
#include <errno.h>
#include <string.h>

#include "stm32f4_port.h"

/* ARM semihosting operations (ARM IHI 0033) and the exit reason for SYS_EXIT_EXTENDED. */
#define SH_SYS_OPEN 0x01u
#define SH_SYS_WRITE 0x05u
#define SH_SYS_READ 0x06u
#define SH_SYS_EXIT_EXTENDED 0x20u
#define SH_OPEN_MODE_RB 1u
#define SH_OPEN_MODE_WB 5u
#define SH_ADP_STOPPED_APPLICATION_EXIT 0x20026u

#define BULK_CHUNK_BYTES 1024u

typedef char mailbox_fills_its_256_bytes[sizeof(stm32_emu_mailbox_t) == 256u ? 1 : -1];

/* Defined by the linker script at the top of SRAM; the startup code never clears it. */
extern volatile stm32_emu_mailbox_t stm32_emu_mailbox;

static uint32_t g_flags;
static int32_t g_bulk_handle = -1;
static int32_t g_bulk_tx_handle = -1;
static uint8_t g_bulk[BULK_CHUNK_BYTES];
static uint32_t g_bulk_pos, g_bulk_len;

/* One semihosting call: operation in r0, argument block in r1, result in r0. */
static int32_t semihost(uint32_t op, const void *args) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = args;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

/* Whether an emulator preloaded the mailbox (never on a board). */
static bool mailbox_valid(void) {
    return stm32_emu_mailbox.magic == STM32_EMU_MAGIC && stm32_emu_mailbox.magic_inv == ~STM32_EMU_MAGIC;
}

/* The mailbox's flags, or 0 if it holds no valid mailbox (a board). */
static uint32_t mailbox_flags(void) { return mailbox_valid() ? stm32_emu_mailbox.flags : 0u; }

/* Copy the NUL-terminated string at rx_path[from] of the mailbox into out (cap bytes, NUL included). */
static size_t mailbox_string(size_t from, char *out, size_t cap) {
    size_t n = 0;
    while (from + n < sizeof stm32_emu_mailbox.rx_path && n + 1u < cap && stm32_emu_mailbox.rx_path[from + n] != '\0') {
        out[n] = stm32_emu_mailbox.rx_path[from + n];
        n++;
    }
    out[n] = '\0';
    return n;
}

/* Open a host file with semihosting; its handle, or -1. */
static int32_t host_open(const char *path, size_t len, uint32_t mode) {
    uint32_t args[3] = {(uint32_t)(uintptr_t)path, mode, (uint32_t)len};
    return len ? semihost(SH_SYS_OPEN, args) : -1;
}

uint32_t stm32_emu_init(int *bulk_error, int *bulk_tx_error) {
    *bulk_error = 0;
    *bulk_tx_error = 0;
    uint32_t flags = mailbox_flags();
    if (!(flags & STM32_EMU_SEMIHOSTING)) flags &= ~STM32_EMU_BULK_RX;
    if (!(flags & STM32_EMU_BULK_RX)) flags &= ~STM32_EMU_BULK_TX;
    if (flags & STM32_EMU_BULK_RX) {
        static char path[sizeof stm32_emu_mailbox.rx_path];
        size_t n = mailbox_string(0, path, sizeof path);
        g_bulk_handle = host_open(path, n, SH_OPEN_MODE_RB);
        if (g_bulk_handle < 0) {
            flags &= ~(STM32_EMU_BULK_RX | STM32_EMU_BULK_TX);
            *bulk_error = -ENOENT;
        } else if (flags & STM32_EMU_BULK_TX) {
            /* the relay holds the FIFO open for reading: this open does not wait */
            static char tx_path[sizeof stm32_emu_mailbox.rx_path];
            size_t m = mailbox_string(n + 1u, tx_path, sizeof tx_path);
            g_bulk_tx_handle = host_open(tx_path, m, SH_OPEN_MODE_WB);
            if (g_bulk_tx_handle < 0) {
                flags &= ~STM32_EMU_BULK_TX;
                *bulk_tx_error = -ENOENT;
            }
        }
    }
    g_flags = flags;
    return flags;
}

int stm32_emu_bulk_write(const uint8_t *buf, size_t len) {
    if (g_bulk_tx_handle < 0) return -EBADF;
    uint32_t args[3] = {(uint32_t)g_bulk_tx_handle, (uint32_t)(uintptr_t)buf, (uint32_t)len};
    return semihost(SH_SYS_WRITE, args) == 0 ? (int)len : -EIO; /* SYS_WRITE answers the bytes not written */
}

uint32_t stm32_emu_flags(void) { return g_flags; }

uint32_t stm32_emu_stream_samples(void) {
    if (!(g_flags & STM32_EMU_SENSOR_HOST_START) || !mailbox_valid()) return 0u;
    return stm32_emu_mailbox.stream_samples;
}

void stm32_emu_sensor_waiting(bool waiting) {
    if (!(g_flags & STM32_EMU_SENSOR_HOST_START) || !mailbox_valid()) return;
    stm32_emu_mailbox.sensor_waiting = waiting ? 1u : 0u;
}

uint32_t stm32_emu_core_hz(void) { return mailbox_valid() ? stm32_emu_mailbox.core_hz : 0u; }

int stm32_emu_bulk_read(uint8_t *buf, size_t cap, bool link_closed) {
    if (g_bulk_pos == g_bulk_len) {
        uint32_t args[3] = {(uint32_t)g_bulk_handle, (uint32_t)(uintptr_t)g_bulk, BULK_CHUNK_BYTES};
        int32_t not_read = semihost(SH_SYS_READ, args);
        if (not_read < 0 || (uint32_t)not_read > BULK_CHUNK_BYTES) return -EIO;
        g_bulk_pos = 0;
        g_bulk_len = BULK_CHUNK_BYTES - (uint32_t)not_read;
        if (g_bulk_len == 0) return link_closed ? -EPIPE : 0;
    }
    size_t n = g_bulk_len - g_bulk_pos;
    if (n > cap) n = cap;
    memcpy(buf, &g_bulk[g_bulk_pos], n);
    g_bulk_pos += (uint32_t)n;
    return (int)n;
}

void stm32_emu_exit(uint32_t code) {
    /* Asks the mailbox itself, not g_flags: fault handlers call this with RAM
     * in any state, and a semihosting call on a board without a debugger
     * would only fault again. */
    if (!(mailbox_flags() & STM32_EMU_SEMIHOSTING)) return;
    uint32_t args[2] = {SH_ADP_STOPPED_APPLICATION_EXIT, code};
    (void)semihost(SH_SYS_EXIT_EXTENDED, args);
}
