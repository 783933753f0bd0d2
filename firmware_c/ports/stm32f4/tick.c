/*
 * tick.c - milliseconds from SysTick. See stm32f4_port.h.
 *
 * SysTick interrupts at 100 Hz and the current count fills in the
 * milliseconds between ticks: a tenth of the wake-ups of a 1 kHz tick, which
 * matters while the core sleeps in WFI (and for many emulators on one host).
 */
#include "stm32f4_port.h"
#include "stm32f4_regs.h"

#define TICK_HZ 100u
#define MS_PER_TICK (1000u / TICK_HZ)

static volatile uint32_t g_ticks;
static uint32_t g_reload;
static uint32_t g_cycles_per_ms;

void SysTick_Handler(void);
void SysTick_Handler(void) { g_ticks++; }

void stm32_tick_init(uint32_t hclk_hz) {
    g_cycles_per_ms = hclk_hz / 1000u;
    g_reload = hclk_hz / TICK_HZ - 1u; /* < 2^24 up to 1.6 GHz */
    SYST_CSR = 0;
    SYST_RVR = g_reload;
    SYST_CVR = 0;
    SCB_SHPR3 = (SCB_SHPR3 & 0x00FFFFFFu) | (0xC0u << 24); /* SysTick below the USART */
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

uint32_t stm32_millis(void) {
    uint32_t ticks, count;
    do { /* a tick between the two reads of g_ticks means count belongs to either: read again */
        ticks = g_ticks;
        count = SYST_CVR;
    } while (ticks != g_ticks);
    uint32_t within_ms = (g_reload - count) / g_cycles_per_ms;
    if (within_ms >= MS_PER_TICK) within_ms = MS_PER_TICK - 1u;
    return ticks * MS_PER_TICK + within_ms;
}
