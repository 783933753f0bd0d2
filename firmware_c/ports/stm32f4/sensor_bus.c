/*
 * sensor_bus.c - the LSM6DSO's bus: I2C1 (the X-NUCLEO-IKS01A3 shield) or SPI1,
 * found by probing WHO_AM_I at boot. See stm32f4_port.h.
 *
 * I2C1: PB8 SCL, PB9 SDA (AF4, open drain), 400 kHz fast mode, 7-bit address
 * 0x6B; register reads are a write of the address then a repeated START.
 * SPI1: PA5 SCK, PA6 MISO, PA7 MOSI (AF5), PA4 chip select driven as a GPIO
 * (active low), mode 3, APB2 / 16. The first byte is the register address with
 * bit 7 set for a read; the part advances the address itself (IF_INC).
 *
 * Every wait on a status flag is bounded by BUS_POLLS: a bus that never
 * answers (nothing soldered, an emulator without the peripheral) fails with
 * -ETIMEDOUT instead of hanging the boot.
 */
#include <errno.h>

#include "stm32f4_port.h"
#include "stm32f4_regs.h"

/* About 2 ms at 84 MHz: far above one I2C byte at 400 kHz (23 us) or an SPI byte. */
#define BUS_POLLS 20000u
#define I2C_ADDR LSM6DSO_I2C_ADDR_SA0_HIGH
#define I2C_HZ 400000u

/* ---- I2C1 ---------------------------------------------------------------------- */

/* Wait for any of the bits in mask in SR1; -EIO on a NACK, bus or arbitration error. */
static int i2c_wait(uint32_t mask) {
    for (uint32_t i = 0; i < BUS_POLLS; i++) {
        uint32_t sr1 = I2C1_SR1;
        if (sr1 & (I2C_SR1_AF | I2C_SR1_BERR | I2C_SR1_ARLO)) {
            I2C1_SR1 = sr1 & ~(I2C_SR1_AF | I2C_SR1_BERR | I2C_SR1_ARLO);
            return -EIO;
        }
        if (sr1 & mask) return 0;
    }
    return -ETIMEDOUT;
}

static int i2c_fail(int rc) {
    I2C1_CR1 |= I2C_CR1_STOP;
    return rc;
}

/* START and the address byte; clears ADDR. dir: 0 write, 1 read. */
static int i2c_begin(uint8_t dir) {
    I2C1_CR1 |= I2C_CR1_START;
    int rc = i2c_wait(I2C_SR1_SB);
    if (rc) return rc;
    I2C1_DR = (uint32_t)((I2C_ADDR << 1) | dir);
    return i2c_wait(I2C_SR1_ADDR);
}

static int i2c_read(void *ctx, uint8_t reg, uint8_t *buf, size_t len) {
    (void)ctx;
    if (!buf || len == 0) return -EINVAL;
    int rc = i2c_begin(0);
    if (rc) return i2c_fail(rc);
    (void)I2C1_SR2;
    I2C1_DR = reg;
    rc = i2c_wait(I2C_SR1_BTF);
    if (rc) return i2c_fail(rc);
    I2C1_CR1 |= I2C_CR1_ACK;
    rc = i2c_begin(1);
    if (rc) return i2c_fail(rc);
    if (len == 1) I2C1_CR1 &= ~I2C_CR1_ACK; /* NACK the only byte */
    (void)I2C1_SR2;
    for (size_t i = 0; i < len; i++) {
        if (i + 1u == len) {
            I2C1_CR1 &= ~I2C_CR1_ACK; /* NACK the last byte, then STOP */
            I2C1_CR1 |= I2C_CR1_STOP;
        }
        rc = i2c_wait(I2C_SR1_RXNE);
        if (rc) return i2c_fail(rc);
        buf[i] = (uint8_t)I2C1_DR;
    }
    return 0;
}

static int i2c_write(void *ctx, uint8_t reg, const uint8_t *buf, size_t len) {
    (void)ctx;
    if (!buf && len) return -EINVAL;
    int rc = i2c_begin(0);
    if (rc) return i2c_fail(rc);
    (void)I2C1_SR2;
    I2C1_DR = reg;
    for (size_t i = 0; i < len; i++) {
        rc = i2c_wait(I2C_SR1_TXE);
        if (rc) return i2c_fail(rc);
        I2C1_DR = buf[i];
    }
    rc = i2c_wait(I2C_SR1_BTF);
    I2C1_CR1 |= I2C_CR1_STOP;
    return rc;
}

static void i2c_init(uint32_t pclk1_hz) {
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOBEN;
    RCC_APB1ENR |= RCC_APB1ENR_I2C1EN;
    (void)RCC_APB1ENR;
    /* PB8, PB9: alternate function 4, open drain, pull-up, high speed */
    GPIOB_MODER = (GPIOB_MODER & ~(0xFu << 16)) | (0xAu << 16);
    GPIOB_OTYPER |= (3u << 8);
    GPIOB_OSPEEDR |= (0xFu << 16);
    GPIOB_PUPDR = (GPIOB_PUPDR & ~(0xFu << 16)) | (0x5u << 16);
    GPIOB_AFRH = (GPIOB_AFRH & ~0xFFu) | 0x44u;
    I2C1_CR1 = I2C_CR1_SWRST;
    I2C1_CR1 = 0;
    uint32_t mhz = pclk1_hz / 1000000u;
    uint32_t ccr = pclk1_hz / (3u * I2C_HZ); /* fast mode, duty 2:1 */
    I2C1_CR2 = mhz & 0x3Fu;
    I2C1_CCR = I2C_CCR_FS | (ccr < 1u ? 1u : ccr);
    I2C1_TRISE = mhz * 3u / 10u + 1u; /* 300 ns */
    I2C1_CR1 = I2C_CR1_PE;
}

/* ---- SPI1 ---------------------------------------------------------------------- */

static void cs(bool selected) { GPIOA_BSRR = selected ? (1u << (4u + 16u)) : (1u << 4); }

static int spi_xfer(uint8_t out, uint8_t *in) {
    uint32_t i = 0;
    while (!(SPI1_SR & SPI_SR_TXE)) {
        if (++i >= BUS_POLLS) return -ETIMEDOUT;
    }
    SPI1_DR = out;
    i = 0;
    while (!(SPI1_SR & SPI_SR_RXNE)) {
        if (++i >= BUS_POLLS) return -ETIMEDOUT;
    }
    uint8_t v = (uint8_t)SPI1_DR;
    if (in) *in = v;
    return 0;
}

static int spi_read(void *ctx, uint8_t reg, uint8_t *buf, size_t len) {
    (void)ctx;
    if (!buf || len == 0) return -EINVAL;
    cs(true);
    int rc = spi_xfer((uint8_t)(reg | 0x80u), NULL);
    for (size_t i = 0; rc == 0 && i < len; i++) rc = spi_xfer(0x00u, &buf[i]);
    cs(false);
    return rc;
}

static int spi_write(void *ctx, uint8_t reg, const uint8_t *buf, size_t len) {
    (void)ctx;
    if (!buf && len) return -EINVAL;
    cs(true);
    int rc = spi_xfer((uint8_t)(reg & 0x7Fu), NULL);
    for (size_t i = 0; rc == 0 && i < len; i++) rc = spi_xfer(buf[i], NULL);
    cs(false);
    return rc;
}

static void spi_init(void) {
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN;
    RCC_APB2ENR |= RCC_APB2ENR_SPI1EN;
    (void)RCC_APB2ENR;
    cs(false);
    /* PA4 output (chip select, idle high); PA5..PA7 alternate function 5 */
    GPIOA_MODER = (GPIOA_MODER & ~(0xFFu << 8)) | (0x01u << 8) | (0xA8u << 8);
    GPIOA_OSPEEDR |= (0xFFu << 8);
    GPIOA_AFRL = (GPIOA_AFRL & ~(0xFFFu << 20)) | (0x555u << 20);
    SPI1_CR1 = SPI_CR1_MSTR | SPI_CR1_BR_DIV16 | SPI_CR1_SSM | SPI_CR1_SSI | SPI_CR1_CPOL | SPI_CR1_CPHA;
    SPI1_CR1 |= SPI_CR1_SPE;
}

/* ---- probe ----------------------------------------------------------------------- */

static bool answers(const lsm6dso_bus_t *bus) {
    uint8_t who = 0;
    return bus->read(bus->ctx, LSM6DSO_REG_WHO_AM_I, &who, 1) == 0 && who == LSM6DSO_WHO_AM_I_VALUE;
}

stm32_sensor_bus_t stm32_sensor_probe(uint32_t pclk1_hz, lsm6dso_bus_t *bus) {
    if (!bus) return STM32_SENSOR_NONE;
    i2c_init(pclk1_hz);
    *bus = (lsm6dso_bus_t){.ctx = NULL, .read = i2c_read, .write = i2c_write};
    if (answers(bus)) return STM32_SENSOR_I2C1;
    I2C1_CR1 = 0; /* release PB8/PB9 */
    spi_init();
    *bus = (lsm6dso_bus_t){.ctx = NULL, .read = spi_read, .write = spi_write};
    if (answers(bus)) return STM32_SENSOR_SPI1;
    SPI1_CR1 = 0;
    *bus = (lsm6dso_bus_t){0};
    return STM32_SENSOR_NONE;
}

const char *stm32_sensor_bus_name(stm32_sensor_bus_t where) {
    switch (where) {
    case STM32_SENSOR_I2C1: return "I2C1 0x6B";
    case STM32_SENSOR_SPI1: return "SPI1";
    case STM32_SENSOR_SYNTH: return "synthetic";
    default: return "none";
    }
}
