/*
 * stm32f4_port.h - the STM32F4 board port's internal interfaces: clocks,
 * SysTick time, the USART2 link, the emulator mailbox and the fault path.
 *
 * One image runs on a NUCLEO-F401RE (and F411RE) and on QEMU's netduinoplus2
 * (STM32F405): it uses only what both parts share (512 KiB flash at
 * 0x08000000, 96 KiB SRAM at 0x20000000, HSI, PLL, USART2 on PA2/PA3).
 *
 * Error convention: 0 or a byte count on success, a negative errno value on
 * failure.
 */
#ifndef STM32F4_PORT_H
#define STM32F4_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "lsm6dso.h"

/* ---- clocks (clock.c) ---------------------------------------------------- */

/** Clock tree the firmware ended up with. */
typedef struct {
    uint32_t hclk_hz;  /**< core and SysTick clock, Hz */
    uint32_t pclk1_hz; /**< APB1 clock (USART2), Hz */
    bool pll_locked;   /**< false: the PLL did not lock in time, running on HSI */
} stm32_clocks_t;

/**
 * Bring the clocks up from reset: HSI -> PLL -> 84 MHz core, 42 MHz APB1,
 * two flash wait states. Every wait on a ready flag is bounded; if one runs
 * out (no RCC model, as in QEMU, or a faulty part) the core stays on HSI
 * (16 MHz) and pll_locked is false.
 * @return the clocks in effect (never fails).
 */
stm32_clocks_t stm32_clock_init(void);

/* ---- time (tick.c) ------------------------------------------------------- */

/** Start SysTick at 100 Hz on the processor clock hclk_hz. */
void stm32_tick_init(uint32_t hclk_hz);

/** Milliseconds since stm32_tick_init() (wraps after 49 days). */
uint32_t stm32_millis(void);

/* ---- USART2 link (usart.c) ----------------------------------------------- */

/** Link baud rate: the ST-LINK virtual COM port default. */
#define STM32_LINK_BAUD 115200u

/**
 * Configure PA2/PA3 and USART2 (8N1) for baud on an APB1 clock of pclk1_hz;
 * receive into a ring of FW_RX_RING_BYTES from the RXNE interrupt.
 */
void stm32_usart_init(uint32_t pclk1_hz, uint32_t baud);

/**
 * Queue len bytes for transmission, waiting while the transmit ring is full.
 * @return len, or -ETIMEDOUT if the USART accepted nothing for 100 ms.
 */
int stm32_usart_write(const uint8_t *buf, size_t len);

/**
 * Take up to cap received bytes without blocking.
 * @return bytes copied (0 if none).
 */
int stm32_usart_read(uint8_t *buf, size_t cap);

/** True if received bytes are waiting (call with interrupts masked to then sleep). */
bool stm32_usart_rx_pending(void);

/** Move queued transmit bytes into the USART while it takes them, without waiting. */
void stm32_usart_tx_kick(void);

/**
 * Wait until every queued byte has left the USART.
 * @return 0, or -ETIMEDOUT after timeout_ms.
 */
int stm32_usart_flush(uint32_t timeout_ms);

/**
 * Send bytes by polling, interrupts and the transmit ring untouched: for the
 * fault handler, where no other state can be trusted.
 * @return len, or -ETIMEDOUT if TXE stayed clear for about 10 ms at 168 MHz.
 */
int stm32_usart_write_polled(const uint8_t *buf, size_t len);

/** Received bytes lost because the ring was full or the USART overran. */
uint32_t stm32_usart_rx_lost(void);

/* ---- sensor bus (sensor_bus.c) ----------------------------------------- */

/** Where stm32_sensor_probe() found the LSM6DSO. */
typedef enum {
    STM32_SENSOR_NONE = 0,
    STM32_SENSOR_I2C1 = 1, /**< I2C1 (PB8/PB9) at 0x6B: the X-NUCLEO-IKS01A3 shield */
    STM32_SENSOR_SPI1 = 2, /**< SPI1 (PA5/PA6/PA7), chip select PA4 (active low), mode 3 */
    STM32_SENSOR_SYNTH = 3, /**< no LSM6DSO: the synthetic sensor (synth_sensor.h), when an emulator asks for it */
} stm32_sensor_bus_t;

/**
 * Find the LSM6DSO: WHO_AM_I (0x6C) on I2C1 at 0x6B first, then on SPI1.
 * Every bus wait is bounded (a missing bus, or an emulator without its model,
 * costs a few milliseconds at most). Fills *bus with the bus it answered on.
 * @param pclk1_hz APB1 clock (I2C1 timing), Hz
 * @return where it was found, or STM32_SENSOR_NONE (bus left unusable).
 */
stm32_sensor_bus_t stm32_sensor_probe(uint32_t pclk1_hz, lsm6dso_bus_t *bus);

/** Human-readable name of a probe result ("I2C1 0x6B", "SPI1", "none"). */
const char *stm32_sensor_bus_name(stm32_sensor_bus_t where);

/* ---- live mode (live.c) -------------------------------------------------- */

/** Where live mode stands. */
typedef enum {
    STM32_LIVE_OFF = 0,     /**< not in live mode (or restarting) */
    STM32_LIVE_AWAIT_HOST,  /**< sensor running, FIFO held until the emulator starts the stream */
    STM32_LIVE_RUNNING,     /**< FIFO read on every poll, samples analyzed */
    STM32_LIVE_DONE,        /**< the stream ended: SUMMARY sent, sensor stopped */
    STM32_LIVE_FAILED,      /**< no sensor, or it failed: a LOG frame said why */
} stm32_live_state_t;

/** Live-mode state. Caller-owned; no field is for the caller to write. */
typedef struct {
    stm32_sensor_bus_t where;
    lsm6dso_bus_t bus;
    lsm6dso_t dev;
    stm32_live_state_t state;
    bool host_starts;        /* STM32_EMU_SENSOR_HOST_START */
    uint32_t next_index;     /* index of the next sample out of the FIFO */
    uint32_t stream_samples; /* the stream ends after this many (0: never) */
    uint32_t t0_ms;          /* when numbering started, stm32_millis() */
    uint32_t overruns;
} stm32_live_t;

/**
 * Set up live mode on the sensor the probe found (where, bus).
 * @param host_starts the emulator starts the FIFO and says how long the stream is
 *        (STM32_EMU_SENSOR_HOST_START); false on a board
 */
void stm32_live_init(stm32_live_t *l, stm32_sensor_bus_t where, const lsm6dso_bus_t *bus, bool host_starts);

/**
 * Call on every pass of the main loop (at least every SysTick). In live mode
 * (CONFIG mode LIVE) it starts the sensor at the CONFIG's rate and full scales,
 * drains its FIFO into app_push_raw(), and after the stream's last sample sends
 * the last stride and SUMMARY (app_finish()); otherwise it keeps the sensor off.
 * A missing or failing sensor is reported once in a LOG frame.
 * @return 0, or the link's negative errno.
 */
int stm32_live_poll(stm32_live_t *l, app_t *app);

/* ---- emulator mailbox (emu.c) ------------------------------------------ */

/*
 * The rig's QEMU target preloads a mailbox at the top of SRAM (QEMU's
 * `-device loader`) before the core starts; on a board that memory holds
 * whatever power-up left, which never matches the magic word and its
 * complement. Everything below is therefore inert on hardware: the same
 * image runs on both, and only the emulator asks for these paths.
 */
#define STM32_EMU_MAGIC 0x4D454C53u /* "SLEM" */

/** Mailbox flags. */
enum {
    STM32_EMU_SEMIHOSTING = 1u << 0,     /**< semihosting works: exit instead of reset */
    STM32_EMU_BULK_RX = 1u << 1,         /**< link input comes from the file rx_path */
    STM32_EMU_FAULT_TEST_HANG = 1u << 2, /**< CMD FAULT_TEST hangs instead of faulting */
    STM32_EMU_SENSOR_HOST_START = 1u << 3, /**< live mode: the emulator starts the sensor's FIFO and sets
                                                stream_samples (see stm32_emu_stream_samples()) */
    STM32_EMU_SYNTH_SENSOR = 1u << 4, /**< no LSM6DSO answered: live and raw mode read the synthetic sensor */
    STM32_EMU_BULK_TX = 1u << 5, /**< with STM32_EMU_BULK_RX: link output goes to the host path that follows
                                      rx_path's NUL in the same field (a FIFO the emulator's relay reads) */
};

/* Bytes the rig sends on USART2 in bulk mode: they only wake the core. */
#define STM32_EMU_DOORBELL 0x00u /* more input was appended to rx_path */
#define STM32_EMU_LINK_CLOSED 0x04u /* the rig closed the link: end once rx_path is read */
/* Link input announced in HELLO in bulk mode, bytes: the input is a host file, which never
 * fills, so the rig may keep many batches in flight instead of the receive ring's few. */
#define STM32_EMU_BULK_RX_BYTES 32768u

/** Exit codes the firmware reports through semihosting. */
enum {
    STM32_EXIT_OK = 0,         /**< the rig closed the link and every frame was sent */
    STM32_EXIT_LINK_ERROR = 2, /**< the link failed (bulk input unreadable, TX stuck) */
    STM32_EXIT_FAULT = 3,      /**< a fault handler ran and sent FAULT */
};

/** Mailbox layout, little-endian, 256 bytes at the symbol stm32_emu_mailbox. */
typedef struct {
    uint32_t magic;     /**< STM32_EMU_MAGIC */
    uint32_t magic_inv; /**< ~STM32_EMU_MAGIC */
    uint32_t flags;     /**< STM32_EMU_* */
    uint32_t core_hz;   /**< the fixed core clock the emulator runs SysTick from, Hz; 0: the clock tree's own */
    char rx_path[232];  /**< NUL-terminated host path of the bulk input (absolute, or relative to QEMU's cwd);
                             with STM32_EMU_BULK_TX the output path follows it, NUL-terminated too */
    uint32_t sensor_waiting; /**< written by the image: 1 while, in live mode, its sensor runs and its FIFO is
                                  held for the emulator to start (STM32_EMU_SENSOR_HOST_START), else 0 */
    uint32_t stream_samples; /**< with STM32_EMU_SENSOR_HOST_START: 0 until the emulator has started the
                                  sensor's stream, then the samples it holds (the stream ends after them) */
} stm32_emu_mailbox_t;

/**
 * Read the mailbox once at boot and open the bulk input (and output) if asked.
 * @return the flags in effect (0 on hardware), never fails: a bulk input
 *         that cannot be opened clears STM32_EMU_BULK_RX and STM32_EMU_BULK_TX
 *         and sets *bulk_error to -ENOENT; a bulk output that cannot be opened
 *         clears STM32_EMU_BULK_TX (output stays on USART2) and sets
 *         *bulk_tx_error to -ENOENT.
 */
uint32_t stm32_emu_init(int *bulk_error, int *bulk_tx_error);

/**
 * With STM32_EMU_BULK_TX: send link output to the bulk output (one semihosting
 * SYS_WRITE, a few microseconds, instead of one emulated USART write per byte).
 * @return len, or -EIO if the write failed, -EBADF if there is no bulk output.
 */
int stm32_emu_bulk_write(const uint8_t *buf, size_t len);

/** Flags in effect (0 on hardware). */
uint32_t stm32_emu_flags(void);

/**
 * The core clock an emulator runs SysTick from, Hz, where it does not model
 * the RCC (QEMU keeps netduinoplus2 at a fixed 168 MHz whatever the firmware
 * sets), or 0 on hardware and when the emulator gives none: the clock tree's
 * own figure holds. Valid after stm32_emu_init().
 */
uint32_t stm32_emu_core_hz(void);

/**
 * Take up to cap bytes of bulk link input (semihosting reads of rx_path).
 * @param link_closed true once the rig sent STM32_EMU_LINK_CLOSED
 * @return bytes copied; 0 when none are there yet; -EPIPE at the end of the
 *         input once the link is closed; -EIO if a read failed.
 */
int stm32_emu_bulk_read(uint8_t *buf, size_t cap, bool link_closed);

/**
 * With STM32_EMU_SENSOR_HOST_START: the samples of the sensor stream the emulator
 * started, or 0 while it has not started it. Always 0 on hardware.
 */
uint32_t stm32_emu_stream_samples(void);

/** With STM32_EMU_SENSOR_HOST_START: tell the emulator whether the sensor waits for it (mailbox sensor_waiting). */
void stm32_emu_sensor_waiting(bool waiting);

/** End the emulation with code (semihosting SYS_EXIT_EXTENDED); returns only if it fails. */
void stm32_emu_exit(uint32_t code);

/* ---- faults (fault.c) ---------------------------------------------------- */

/** Mark the next fault as the one CMD FAULT_TEST asked for (reason TEST). */
void stm32_fault_mark_test(void);

/**
 * Stop for good after an unrecoverable error: semihosting exit with code in
 * the emulator, system reset on a board.
 */
__attribute__((noreturn)) void stm32_halt(uint32_t code);

#endif /* STM32F4_PORT_H */
