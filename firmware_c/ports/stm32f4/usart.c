/*
 * usart.c - the link on USART2 (PA2 TX, PA3 RX, AF7), 8N1. See stm32f4_port.h.
 *
 * Receive: the RXNE interrupt moves each byte into a ring of FW_RX_RING_BYTES
 * (single producer: the interrupt; single consumer: the main loop).
 * Transmit: writers queue into a ring and the TXE interrupt drains it.
 * Writers also "kick" the USART: they move bytes themselves while TXE is set.
 * On a board that sends at most two bytes early (the data register and the
 * empty shift register), after which the interrupt takes over. QEMU 7.2's
 * STM32 USART model raises no TXE interrupt and takes every byte at once
 * (TXE always set), so there the kick sends the whole queue: one code path
 * serves both, with no build flag.
 */
#include <errno.h>

#include "fw_config.h"
#include "stm32f4_port.h"
#include "stm32f4_regs.h"

#define TX_RING_BYTES 1024u /* a STRIDE frame is ~80 bytes on the wire */
#define WRITE_TIMEOUT_MS 100u
#define POLLED_TXE_LOOPS 400000u /* >= 10 ms at 168 MHz; one byte takes 87 us at 115200 baud */

typedef char rx_ring_is_power_of_two[(FW_RX_RING_BYTES & (FW_RX_RING_BYTES - 1u)) == 0 ? 1 : -1];
typedef char tx_ring_is_power_of_two[(TX_RING_BYTES & (TX_RING_BYTES - 1u)) == 0 ? 1 : -1];

static uint8_t g_rx[FW_RX_RING_BYTES];
static volatile uint32_t g_rx_head; /* written by the interrupt only */
static volatile uint32_t g_rx_tail; /* written by the main loop only */
static volatile uint32_t g_rx_lost;

static uint8_t g_tx[TX_RING_BYTES];
static volatile uint32_t g_tx_head; /* written by writers only (interrupts masked) */
static volatile uint32_t g_tx_tail; /* written with interrupts masked or by the interrupt */

void USART2_IRQHandler(void);
void USART2_IRQHandler(void) {
    uint32_t sr = USART2_SR;
    if (sr & (USART_SR_RXNE | USART_SR_ORE)) {
        uint8_t byte = (uint8_t)USART2_DR; /* SR then DR also clears ORE */
        if (sr & USART_SR_ORE) g_rx_lost++;
        uint32_t head = g_rx_head;
        if (head - g_rx_tail < FW_RX_RING_BYTES) {
            g_rx[head & (FW_RX_RING_BYTES - 1u)] = byte;
            g_rx_head = head + 1u;
        } else {
            g_rx_lost++;
        }
    }
    if ((USART2_CR1 & USART_CR1_TXEIE) && (sr & USART_SR_TXE)) {
        uint32_t tail = g_tx_tail;
        if (tail != g_tx_head) {
            USART2_DR = g_tx[tail & (TX_RING_BYTES - 1u)];
            g_tx_tail = tail + 1u;
        } else {
            USART2_CR1 &= ~USART_CR1_TXEIE;
        }
    }
}

void stm32_usart_init(uint32_t pclk1_hz, uint32_t baud) {
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN;
    RCC_APB1ENR |= RCC_APB1ENR_USART2EN;
    (void)RCC_APB1ENR; /* the enable takes two bus cycles: read back before use */

    /* PA2, PA3: alternate function 7 (USART2), high speed, RX pulled up. */
    GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 4)) | (0xAu << 4);
    GPIOA_OSPEEDR |= 0xFu << 4;
    GPIOA_PUPDR = (GPIOA_PUPDR & ~(0xFu << 4)) | (0x4u << 4);
    GPIOA_AFRL = (GPIOA_AFRL & ~(0xFFu << 8)) | (0x77u << 8);

    USART2_CR1 = 0;
    USART2_CR2 = 0;
    USART2_CR3 = 0;
    USART2_BRR = (pclk1_hz + baud / 2u) / baud; /* oversampling by 16: mantissa.fraction */
    g_rx_head = g_rx_tail = 0;
    g_tx_head = g_tx_tail = 0;
    USART2_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;

    NVIC_IPR8(USART2_IRQN) = 0x40u; /* above SysTick */
    NVIC_ISER(USART2_IRQN / 32u) = 1u << (USART2_IRQN % 32u);
}

void stm32_usart_tx_kick(void) {
    uint32_t m = irq_save();
    uint32_t tail = g_tx_tail;
    while (tail != g_tx_head && (USART2_SR & USART_SR_TXE)) {
        USART2_DR = g_tx[tail & (TX_RING_BYTES - 1u)];
        tail++;
    }
    g_tx_tail = tail;
    if (tail != g_tx_head) {
        USART2_CR1 |= USART_CR1_TXEIE;
    } else {
        USART2_CR1 &= ~USART_CR1_TXEIE;
    }
    irq_restore(m);
}

int stm32_usart_write(const uint8_t *buf, size_t len) {
    size_t done = 0;
    uint32_t last_progress_ms = stm32_millis();
    while (done < len) {
        uint32_t head = g_tx_head;
        uint32_t room = TX_RING_BYTES - (head - g_tx_tail);
        if (room == 0) {
            uint32_t tail = g_tx_tail;
            stm32_usart_tx_kick();
            if (g_tx_tail != tail) {
                last_progress_ms = stm32_millis();
            } else if (stm32_millis() - last_progress_ms > WRITE_TIMEOUT_MS) {
                return -ETIMEDOUT;
            }
            continue;
        }
        while (room-- && done < len) {
            g_tx[head & (TX_RING_BYTES - 1u)] = buf[done++];
            head++;
        }
        g_tx_head = head;
        last_progress_ms = stm32_millis();
    }
    stm32_usart_tx_kick();
    return (int)len;
}

int stm32_usart_read(uint8_t *buf, size_t cap) {
    uint32_t tail = g_rx_tail;
    uint32_t avail = g_rx_head - tail;
    size_t n = avail < cap ? avail : cap;
    for (size_t i = 0; i < n; i++) {
        buf[i] = g_rx[tail & (FW_RX_RING_BYTES - 1u)];
        tail++;
    }
    g_rx_tail = tail;
    return (int)n;
}

bool stm32_usart_rx_pending(void) { return g_rx_head != g_rx_tail; }

int stm32_usart_flush(uint32_t timeout_ms) {
    uint32_t t0 = stm32_millis();
    for (;;) {
        stm32_usart_tx_kick();
        if (g_tx_tail == g_tx_head && (USART2_SR & USART_SR_TC)) return 0;
        if (stm32_millis() - t0 > timeout_ms) return -ETIMEDOUT;
    }
}

int stm32_usart_write_polled(const uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        uint32_t loops = 0;
        while (!(USART2_SR & USART_SR_TXE)) {
            if (++loops > POLLED_TXE_LOOPS) return -ETIMEDOUT;
        }
        USART2_DR = buf[i];
    }
    return (int)len;
}

uint32_t stm32_usart_rx_lost(void) { return g_rx_lost; }
