/*
 * startup.c - vector table and reset handler of the STM32F4 image.
 *
 * The table has room for the largest STM32F4 interrupt map (98 lines), so the
 * same image serves the F401 (85 lines) and the F405 (82). Interrupts the port
 * does not use, and every fault, go to the fault report (fault.c).
 */
#include <stdint.h>

#include "stm32f4_regs.h"

#define IRQ_LINES 98
#define USART2_IRQ_LINE 38 /* = USART2_IRQN, as a plain constant for the initialiser */

int main(void);
void Reset_Handler(void);
void stm32_fault_entry(void);
void SysTick_Handler(void);
void USART2_IRQHandler(void);

/* Linker script symbols. */
extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;

typedef void (*vector_t)(void);

/* The initial stack pointer, then exceptions 1-15, then the interrupt lines. */
typedef struct {
    uint32_t *initial_sp;
    vector_t exceptions[15];
    vector_t irq[IRQ_LINES];
} vector_table_t;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init" /* a default for the range, then the lines in use */
__attribute__((section(".isr_vector"), used)) const vector_table_t g_vectors = {
    .initial_sp = &_estack,
    .exceptions = {
        Reset_Handler,
        stm32_fault_entry, /* NMI */
        stm32_fault_entry, /* HardFault */
        stm32_fault_entry, /* MemManage (escalates to HardFault while disabled) */
        stm32_fault_entry, /* BusFault (likewise) */
        stm32_fault_entry, /* UsageFault (likewise) */
        0, 0, 0, 0,        /* reserved */
        stm32_fault_entry, /* SVCall: never used */
        stm32_fault_entry, /* DebugMonitor */
        0,                 /* reserved */
        stm32_fault_entry, /* PendSV: never used */
        SysTick_Handler,
    },
    .irq = {
        [0 ... IRQ_LINES - 1] = stm32_fault_entry,
        [USART2_IRQ_LINE] = USART2_IRQHandler,
    },
};
#pragma GCC diagnostic pop

typedef char usart2_line_matches[USART2_IRQ_LINE == USART2_IRQN ? 1 : -1];

void Reset_Handler(void) {
    /* FPU on before any code that might touch a floating-point register. */
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL;
    dsb_isb();
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    SCB_VTOR = (uint32_t)(uintptr_t)&g_vectors;
    dsb_isb();
    (void)main();
    for (;;) {
    }
}
