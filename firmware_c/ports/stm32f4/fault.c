/*
 * fault.c - HardFault (and every other fault or stray interrupt): report a
 * FAULT frame with the stacked PC and LR and the fault status registers, by
 * polled USART writes alone, then stop (semihosting exit in the emulator,
 * system reset on a board). See stm32f4_port.h.
 */
#include "app.h"
#include "stm32f4_port.h"
#include "stm32f4_regs.h"

/* Own stack for the report: the fault may come from a stack overflow. It must
 * hold frame_encode's frame buffer (FW_MAX_FRAME_BYTES) and the FAULT frame. */
#define FAULT_STACK_BYTES 2048 /* plain decimal: it is pasted into assembly below */
#define STR_(x) #x
#define STR(x) STR_(x)
static uint32_t g_fault_stack[FAULT_STACK_BYTES / 4] __attribute__((aligned(8), used));

static volatile uint32_t g_fault_is_test;

extern uint32_t _sram_start, _sram_end; /* linker script */

void stm32_fault_mark_test(void) { g_fault_is_test = 1u; }

static int polled_write(void *ctx, const uint8_t *buf, size_t len) {
    (void)ctx;
    return stm32_usart_write_polled(buf, len);
}

__attribute__((noreturn, used)) void stm32_fault_report(const uint32_t *frame);

/* frame: the exception frame the core stacked (r0-r3, r12, lr, pc, xpsr). */
void stm32_fault_report(const uint32_t *frame) {
    uint32_t pc = 0xFFFFFFFFu, lr = 0xFFFFFFFFu; /* unknown: the stack pointer was not in SRAM */
    uintptr_t at = (uintptr_t)frame;
    if ((at & 3u) == 0 && at >= (uintptr_t)&_sram_start && at + 32u <= (uintptr_t)&_sram_end) {
        lr = frame[5];
        pc = frame[6];
    }
    uint32_t cfsr = SCB_CFSR, hfsr = SCB_HFSR, bfar = SCB_BFAR;
    hal_t hal = {.ctx = 0, .link_write = polled_write};
    /* A delimiter first: it closes any frame the fault cut short, so the
     * receiver drops that one and decodes FAULT cleanly. */
    static const uint8_t delimiter = 0;
    (void)stm32_usart_write_polled(&delimiter, 1);
    (void)app_send_fault(&hal, g_fault_is_test ? FRAME_FAULT_TEST : FRAME_FAULT_HARDFAULT, pc, lr, cfsr, hfsr,
                         bfar);
    stm32_halt(STM32_EXIT_FAULT);
}

/* Entry of every fault vector: pick the stack the core used (EXC_RETURN bit 2),
 * move to the fault stack, report. Only basic asm is safe in a naked function. */
__attribute__((naked)) void stm32_fault_entry(void);
void stm32_fault_entry(void) {
    __asm__ volatile(
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "ldr r1, =g_fault_stack + " STR(FAULT_STACK_BYTES) "\n\t"
        "msr msp, r1\n\t"
        "b stm32_fault_report\n\t"
        ".ltorg\n\t");
}

void stm32_halt(uint32_t code) {
    stm32_emu_exit(code);
    SCB_AIRCR = SCB_AIRCR_SYSRESETREQ;
    dsb_isb();
    for (;;) {
    }
}
