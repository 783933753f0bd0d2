/* clock.c - clocks from reset (HSI 16 MHz) to the PLL at 84 MHz. See stm32f4_port.h. */
#include "stm32f4_port.h"
#include "stm32f4_regs.h"

#define HSI_HZ 16000000u
#define PLL_HCLK_HZ 84000000u

/* PLL from HSI: VCO = 16 MHz / M * N = 336 MHz, SYSCLK = VCO / P = 84 MHz,
 * USB/SDIO = VCO / Q = 48 MHz. Valid on the F401 (max 84 MHz) and the F405. */
#define PLL_M 16u
#define PLL_N 336u
#define PLL_P_DIV4 1u /* PLLP field: 0 = /2, 1 = /4 */
#define PLL_Q 7u
#define PLLCFGR_VALUE (PLL_M | PLL_N << 6 | PLL_P_DIV4 << 16 | PLL_Q << 24) /* PLLSRC = HSI */
/* The fields set above plus PLLSRC; the reserved bits keep their reset value. */
#define PLLCFGR_FIELDS (0x3Fu | 0x1FFu << 6 | 3u << 16 | 1u << 22 | 0xFu << 24)

/* 84 MHz at 2.7-3.6 V needs two flash wait states on both parts. */
#define FLASH_WAIT_STATES 2u

/* Upper bound of every ready-flag wait, in polls: about 10 ms at 16 MHz, far
 * above the PLL's 0.2 ms lock time; QEMU leaves the RCC unimplemented (reads
 * as 0), so these flags never come there. */
#define READY_POLLS 40000u

static bool wait_bits(volatile uint32_t *reg, uint32_t mask, uint32_t want) {
    for (uint32_t i = 0; i < READY_POLLS; i++) {
        if ((*reg & mask) == want) return true;
    }
    return false;
}

/* Back to the reset clock tree: HSI as SYSCLK, no prescalers, PLL off. */
static stm32_clocks_t stay_on_hsi(void) {
    RCC_CFGR = (RCC_CFGR & ~(RCC_CFGR_SW_MASK | RCC_CFGR_HPRE_MASK | RCC_CFGR_PPRE_MASK)) | RCC_CFGR_SW_HSI;
    (void)wait_bits(&RCC_CFGR, RCC_CFGR_SW_MASK << RCC_CFGR_SWS_SHIFT, RCC_CFGR_SW_HSI << RCC_CFGR_SWS_SHIFT);
    RCC_CR &= ~RCC_CR_PLLON;
    stm32_clocks_t c = {.hclk_hz = HSI_HZ, .pclk1_hz = HSI_HZ, .pll_locked = false};
    return c;
}

stm32_clocks_t stm32_clock_init(void) {
    RCC_CR |= RCC_CR_HSION;
    if (!wait_bits(&RCC_CR, RCC_CR_HSIRDY, RCC_CR_HSIRDY)) return stay_on_hsi();

    /* Wait states first: the core must never run faster than the flash allows. */
    FLASH_ACR = FLASH_ACR_PRFTEN | FLASH_ACR_ICEN | FLASH_ACR_DCEN | FLASH_WAIT_STATES;
    if (!wait_bits(&FLASH_ACR, FLASH_ACR_LATENCY_MASK, FLASH_WAIT_STATES)) return stay_on_hsi();

    RCC_CR &= ~RCC_CR_PLLON;
    RCC_PLLCFGR = (RCC_PLLCFGR & ~PLLCFGR_FIELDS) | PLLCFGR_VALUE;
    RCC_CR |= RCC_CR_PLLON;
    if (!wait_bits(&RCC_CR, RCC_CR_PLLRDY, RCC_CR_PLLRDY)) return stay_on_hsi();

    /* AHB /1 (84 MHz), APB1 /2 (42 MHz, its maximum), APB2 /1, then switch. */
    RCC_CFGR = (RCC_CFGR & ~(RCC_CFGR_HPRE_MASK | RCC_CFGR_PPRE_MASK)) | RCC_CFGR_PPRE1_DIV2;
    RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_SW_MASK) | RCC_CFGR_SW_PLL;
    if (!wait_bits(&RCC_CFGR, RCC_CFGR_SW_MASK << RCC_CFGR_SWS_SHIFT, RCC_CFGR_SW_PLL << RCC_CFGR_SWS_SHIFT)) {
        return stay_on_hsi();
    }
    stm32_clocks_t c = {.hclk_hz = PLL_HCLK_HZ, .pclk1_hz = PLL_HCLK_HZ / 2u, .pll_locked = true};
    return c;
}
