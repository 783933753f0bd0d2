/*
 * stm32f4_regs.h - the few STM32F4 and Cortex-M4 registers this port uses.
 *
 * Addresses and bits from RM0368 (STM32F401), RM0090 (STM32F405) and the
 * ARMv7-M Architecture Reference Manual. Only what the port touches is here;
 * every register is a volatile 32-bit word at a fixed address.
 */
#ifndef STM32F4_REGS_H
#define STM32F4_REGS_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define REG8(addr) (*(volatile uint8_t *)(uintptr_t)(addr))

/* Reset and clock control (RCC). */
#define RCC_BASE 0x40023800u
#define RCC_CR REG32(RCC_BASE + 0x00u)
#define RCC_PLLCFGR REG32(RCC_BASE + 0x04u)
#define RCC_CFGR REG32(RCC_BASE + 0x08u)
#define RCC_AHB1ENR REG32(RCC_BASE + 0x30u)
#define RCC_APB1ENR REG32(RCC_BASE + 0x40u)
#define RCC_APB2ENR REG32(RCC_BASE + 0x44u)

#define RCC_CR_HSION (1u << 0)
#define RCC_CR_HSIRDY (1u << 1)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_CFGR_SW_MASK 3u
#define RCC_CFGR_SW_HSI 0u
#define RCC_CFGR_SW_PLL 2u
#define RCC_CFGR_SWS_SHIFT 2u
#define RCC_CFGR_PPRE1_SHIFT 10u
#define RCC_CFGR_PPRE1_DIV2 (4u << RCC_CFGR_PPRE1_SHIFT)
#define RCC_CFGR_PPRE_MASK (0x3Fu << RCC_CFGR_PPRE1_SHIFT) /* PPRE1 and PPRE2 */
#define RCC_CFGR_HPRE_MASK (0xFu << 4)
#define RCC_AHB1ENR_GPIOAEN (1u << 0)
#define RCC_AHB1ENR_GPIOBEN (1u << 1)
#define RCC_APB1ENR_USART2EN (1u << 17)
#define RCC_APB1ENR_I2C1EN (1u << 21)
#define RCC_APB2ENR_SPI1EN (1u << 12)

/* Flash interface: wait states and caches. */
#define FLASH_ACR REG32(0x40023C00u)
#define FLASH_ACR_LATENCY_MASK 0xFu
#define FLASH_ACR_PRFTEN (1u << 8)
#define FLASH_ACR_ICEN (1u << 9)
#define FLASH_ACR_DCEN (1u << 10)

/* GPIO port A. */
#define GPIOA_BASE 0x40020000u
#define GPIOA_MODER REG32(GPIOA_BASE + 0x00u)
#define GPIOA_OSPEEDR REG32(GPIOA_BASE + 0x08u)
#define GPIOA_PUPDR REG32(GPIOA_BASE + 0x0Cu)
#define GPIOA_AFRL REG32(GPIOA_BASE + 0x20u)
#define GPIOA_BSRR REG32(GPIOA_BASE + 0x18u)

/* GPIO port B. */
#define GPIOB_BASE 0x40020400u
#define GPIOB_MODER REG32(GPIOB_BASE + 0x00u)
#define GPIOB_OTYPER REG32(GPIOB_BASE + 0x04u)
#define GPIOB_OSPEEDR REG32(GPIOB_BASE + 0x08u)
#define GPIOB_PUPDR REG32(GPIOB_BASE + 0x0Cu)
#define GPIOB_AFRH REG32(GPIOB_BASE + 0x24u)

/* I2C1 (PB8 SCL, PB9 SDA, AF4: the X-NUCLEO-IKS01A3 sensors). */
#define I2C1_BASE 0x40005400u
#define I2C1_CR1 REG32(I2C1_BASE + 0x00u)
#define I2C1_CR2 REG32(I2C1_BASE + 0x04u)
#define I2C1_DR REG32(I2C1_BASE + 0x10u)
#define I2C1_SR1 REG32(I2C1_BASE + 0x14u)
#define I2C1_SR2 REG32(I2C1_BASE + 0x18u)
#define I2C1_CCR REG32(I2C1_BASE + 0x1Cu)
#define I2C1_TRISE REG32(I2C1_BASE + 0x20u)

#define I2C_CR1_PE (1u << 0)
#define I2C_CR1_START (1u << 8)
#define I2C_CR1_STOP (1u << 9)
#define I2C_CR1_ACK (1u << 10)
#define I2C_CR1_SWRST (1u << 15)
#define I2C_SR1_SB (1u << 0)
#define I2C_SR1_ADDR (1u << 1)
#define I2C_SR1_BTF (1u << 2)
#define I2C_SR1_RXNE (1u << 6)
#define I2C_SR1_TXE (1u << 7)
#define I2C_SR1_BERR (1u << 8)
#define I2C_SR1_ARLO (1u << 9)
#define I2C_SR1_AF (1u << 10)
#define I2C_CCR_FS (1u << 15)

/* SPI1 (PA5 SCK, PA6 MISO, PA7 MOSI, AF5; chip select PA4 as a GPIO). */
#define SPI1_BASE 0x40013000u
#define SPI1_CR1 REG32(SPI1_BASE + 0x00u)
#define SPI1_SR REG32(SPI1_BASE + 0x08u)
#define SPI1_DR REG32(SPI1_BASE + 0x0Cu)

#define SPI_CR1_CPHA (1u << 0)
#define SPI_CR1_CPOL (1u << 1)
#define SPI_CR1_MSTR (1u << 2)
#define SPI_CR1_BR_DIV16 (3u << 3)
#define SPI_CR1_SPE (1u << 6)
#define SPI_CR1_SSI (1u << 8)
#define SPI_CR1_SSM (1u << 9)
#define SPI_SR_RXNE (1u << 0)
#define SPI_SR_TXE (1u << 1)

/* USART2 (PA2 TX, PA3 RX: the Nucleo's ST-LINK virtual COM port). */
#define USART2_BASE 0x40004400u
#define USART2_SR REG32(USART2_BASE + 0x00u)
#define USART2_DR REG32(USART2_BASE + 0x04u)
#define USART2_BRR REG32(USART2_BASE + 0x08u)
#define USART2_CR1 REG32(USART2_BASE + 0x0Cu)
#define USART2_CR2 REG32(USART2_BASE + 0x10u)
#define USART2_CR3 REG32(USART2_BASE + 0x14u)
#define USART2_IRQN 38u

#define USART_SR_ORE (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TC (1u << 6)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_TXEIE (1u << 7)
#define USART_CR1_UE (1u << 13)

/* SysTick. */
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1 = processor clock */
#define SYST_CSR_COUNTFLAG (1u << 16)

/* NVIC. */
#define NVIC_ISER(n) REG32(0xE000E100u + 4u * (n))
#define NVIC_IPR8(irq) REG8(0xE000E400u + (irq))

/* System control block. */
#define SCB_VTOR REG32(0xE000ED08u)
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_SHPR3 REG32(0xE000ED20u)
#define SCB_CFSR REG32(0xE000ED28u)
#define SCB_HFSR REG32(0xE000ED2Cu)
#define SCB_BFAR REG32(0xE000ED38u)
#define SCB_CPACR REG32(0xE000ED88u)
#define SCB_AIRCR_SYSRESETREQ (0x05FAu << 16 | 1u << 2)
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)

/* Interrupt masking and barriers. */

/** Mask interrupts; returns the previous PRIMASK for irq_restore(). */
static inline uint32_t irq_save(void) {
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

/** Put back the PRIMASK that irq_save() returned. */
static inline void irq_restore(uint32_t primask) {
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

/** Unmask interrupts (PRIMASK = 0). */
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
/** Mask interrupts (PRIMASK = 1). */
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
/** Sleep until an interrupt is pending. */
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
/** Complete memory accesses and refetch instructions (after VTOR, CPACR or MPU writes). */
static inline void dsb_isb(void) { __asm__ volatile("dsb\n\tisb" ::: "memory"); }

#endif /* STM32F4_REGS_H */
