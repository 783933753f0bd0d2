/*
 * STM32F4 port: the firmware on a NUCLEO-F401RE, its link on USART2 through
 * the ST-LINK virtual COM port (115200 8N1). The same image runs under QEMU's
 * netduinoplus2 (STM32F405), where the second -serial is USART2.
 *
 * At boot the image looks for its LSM6DSO (I2C1 at 0x6B, then SPI1) so one
 * image serves the NUCLEO with the X-NUCLEO-IKS01A3 shield and an SPI-wired
 * sensor (Renode's model); in live mode it reads that sensor (live.c).
 *
 * Main loop: handle every received frame, poll the sensor in live mode, then
 * sleep in WFI until an interrupt (a received byte, or the 100 Hz SysTick,
 * which paces the sensor's FIFO poll).
 */
#include <errno.h>

#include "app.h"
#include "stm32f4_port.h"
#include "stm32f4_regs.h"

#define BOARD_NAME "stm32f4"
#define FINAL_FLUSH_MS 200u

static hal_t g_hal;
static app_t g_app;
static stm32_live_t g_live;

static int port_write(void *ctx, const uint8_t *buf, size_t len) {
    (void)ctx;
    if (stm32_emu_flags() & STM32_EMU_BULK_TX) return stm32_emu_bulk_write(buf, len);
    return stm32_usart_write(buf, len);
}

static bool g_link_closed; /* bulk mode: the rig closed its side */

static int port_read(void *ctx, uint8_t *buf, size_t cap) {
    (void)ctx;
    if (stm32_emu_flags() & STM32_EMU_BULK_RX) {
        uint8_t bell[16];
        int n;
        while ((n = stm32_usart_read(bell, sizeof bell)) > 0) {
            for (int i = 0; i < n; i++) g_link_closed |= bell[i] == STM32_EMU_LINK_CLOSED;
        }
        return stm32_emu_bulk_read(buf, cap, g_link_closed);
    }
    return stm32_usart_read(buf, cap);
}

static uint32_t port_millis(void *ctx) {
    (void)ctx;
    return stm32_millis();
}

/* Sleep unless a byte came in since the last read: with interrupts masked the
 * check and WFI cannot miss one (a pending interrupt still ends WFI). */
static void port_idle(void *ctx) {
    (void)ctx;
    stm32_usart_tx_kick();
    irq_disable();
    if (!stm32_usart_rx_pending()) wfi();
    irq_enable();
}

__attribute__((noinline)) static void port_fault_test(void *ctx) {
    (void)ctx;
    if (stm32_emu_flags() & STM32_EMU_FAULT_TEST_HANG) { /* the rig's hang test: never answer again */
        irq_disable();
        for (;;) {
        }
    }
    stm32_fault_mark_test();
    /* A wild read: SRAM ends below this address on every STM32F4, so the bus
     * faults precisely (CFSR.PRECISERR, BFAR = the address). */
    (void)*(volatile uint32_t *)0x2FFF0000u;
    for (;;) {
    }
}

int main(void) {
    stm32_clocks_t clk = stm32_clock_init();
    int bulk_error = 0, bulk_tx_error = 0;
    (void)stm32_emu_init(&bulk_error, &bulk_tx_error);
    uint32_t emu_core_hz = stm32_emu_core_hz(); /* 0 on a board */
    stm32_tick_init(emu_core_hz ? emu_core_hz : clk.hclk_hz);
    stm32_usart_init(clk.pclk1_hz, STM32_LINK_BAUD);
    irq_enable();
    lsm6dso_bus_t sensor_bus;
    stm32_sensor_bus_t sensor = stm32_sensor_probe(clk.pclk1_hz, &sensor_bus);
    if (sensor == STM32_SENSOR_NONE && (stm32_emu_flags() & STM32_EMU_SYNTH_SENSOR)) sensor = STM32_SENSOR_SYNTH;
    stm32_live_init(&g_live, sensor, &sensor_bus, (stm32_emu_flags() & STM32_EMU_SENSOR_HOST_START) != 0);

    g_hal = (hal_t){.ctx = 0, .link_write = port_write, .link_read = port_read, .millis = port_millis,
                    .idle = port_idle, .fault_test = port_fault_test, .board_name = BOARD_NAME,
                    .rx_buffer_bytes = (stm32_emu_flags() & STM32_EMU_BULK_RX) ? STM32_EMU_BULK_RX_BYTES : 0u};
    int rc = app_init(&g_app, &g_hal);
    if (rc >= 0 && !clk.pll_locked) rc = app_log(&g_app, 2, "clock: PLL did not lock, running on HSI 16 MHz");
    if (rc >= 0 && bulk_error) rc = app_log(&g_app, 0, "emulator: cannot open the bulk input file");
    if (rc >= 0 && bulk_tx_error) rc = app_log(&g_app, 2, "emulator: cannot open the bulk output, answering on USART2");
    if (rc >= 0 && sensor != STM32_SENSOR_NONE) {
        rc = app_log(&g_app, 3, sensor == STM32_SENSOR_I2C1   ? "sensor: LSM6DSO on I2C1 at 0x6B"
                                : sensor == STM32_SENSOR_SPI1 ? "sensor: LSM6DSO on SPI1"
                                                              : "sensor: synthetic (no LSM6DSO answered)");
    }
    while (rc >= 0) {
        rc = app_poll(&g_app);
        if (rc < 0) break;
        int lr = stm32_live_poll(&g_live, &g_app);
        if (lr < 0) rc = lr; /* only the link fails the loop: sensor trouble is reported in LOG */
        /* While the emulator is about to start the sensor stream, stay awake: the core
         * then runs through the instant the stream starts at, never sleeping past it. */
        if (rc == 0 && g_live.state != STM32_LIVE_AWAIT_HOST) g_hal.idle(g_hal.ctx);
    }
    /* Only the emulator's bulk link ends (-EPIPE); a board's UART never does. */
    int flushed = stm32_usart_flush(FINAL_FLUSH_MS);
    stm32_halt(rc == -EPIPE && flushed == 0 ? STM32_EXIT_OK : STM32_EXIT_LINK_ERROR);
}
