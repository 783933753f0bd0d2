"""LSM6DSO register map (datasheet DS12140, section 8): the subset the firmware and the model use."""

from __future__ import annotations

from enum import IntEnum

#: 7-bit I2C address with SA0 high, as on the X-NUCLEO-IKS01A3 shield.
I2C_ADDRESS: int = 0x6B
#: 7-bit I2C address with SA0 low.
I2C_ADDRESS_SA0_LOW: int = 0x6A
#: WHO_AM_I content.
WHO_AM_I_VALUE: int = 0x6C
#: Bytes in one FIFO word: FIFO_DATA_OUT_TAG and six data bytes.
FIFO_WORD_BYTES: int = 7


class Reg(IntEnum):
    """Register addresses."""

    FUNC_CFG_ACCESS = 0x01
    PIN_CTRL = 0x02
    FIFO_CTRL1 = 0x07
    FIFO_CTRL2 = 0x08
    FIFO_CTRL3 = 0x09
    FIFO_CTRL4 = 0x0A
    COUNTER_BDR_REG1 = 0x0B
    COUNTER_BDR_REG2 = 0x0C
    INT1_CTRL = 0x0D
    INT2_CTRL = 0x0E
    WHO_AM_I = 0x0F
    CTRL1_XL = 0x10
    CTRL2_G = 0x11
    CTRL3_C = 0x12
    CTRL4_C = 0x13
    CTRL5_C = 0x14
    CTRL6_C = 0x15
    CTRL7_G = 0x16
    CTRL8_XL = 0x17
    CTRL9_XL = 0x18
    CTRL10_C = 0x19
    STATUS_REG = 0x1E
    OUT_TEMP_L = 0x20
    OUTX_L_G = 0x22
    OUTX_H_G = 0x23
    OUTZ_H_G = 0x27
    OUTX_L_A = 0x28
    OUTX_H_A = 0x29
    OUTZ_H_A = 0x2D
    FIFO_STATUS1 = 0x3A
    FIFO_STATUS2 = 0x3B
    FIFO_DATA_OUT_TAG = 0x78
    FIFO_DATA_OUT_X_L = 0x79
    FIFO_DATA_OUT_Z_H = 0x7E


#: Power-on values of the registers the model stores (datasheet table 20).
RESET_VALUES: dict[Reg, int] = {
    Reg.FUNC_CFG_ACCESS: 0x00,
    Reg.PIN_CTRL: 0x3F,
    Reg.FIFO_CTRL1: 0x00,
    Reg.FIFO_CTRL2: 0x00,
    Reg.FIFO_CTRL3: 0x00,
    Reg.FIFO_CTRL4: 0x00,
    Reg.INT1_CTRL: 0x00,
    Reg.CTRL1_XL: 0x00,
    Reg.CTRL2_G: 0x00,
    Reg.CTRL3_C: 0x04,
    Reg.CTRL9_XL: 0xE0,
    Reg.CTRL10_C: 0x00,
}

# CTRL3_C
CTRL3_BOOT = 0x80
CTRL3_BDU = 0x40
CTRL3_H_LACTIVE = 0x20
CTRL3_IF_INC = 0x04
CTRL3_SW_RESET = 0x01
# STATUS_REG
STATUS_XLDA = 0x01
STATUS_GDA = 0x02
# INT1_CTRL
INT1_DRDY_XL = 0x01
INT1_DRDY_G = 0x02
INT1_FIFO_TH = 0x08
INT1_FIFO_OVR = 0x10
INT1_FIFO_FULL = 0x20
# FIFO_STATUS2
FIFO_STATUS2_WTM_IA = 0x80
FIFO_STATUS2_OVR_IA = 0x40
FIFO_STATUS2_FULL_IA = 0x20
FIFO_STATUS2_OVR_LATCHED = 0x08
FIFO_STATUS2_DIFF_HI = 0x03


class FifoMode(IntEnum):
    """FIFO_CTRL4.FIFO_MODE."""

    BYPASS = 0b000
    FIFO = 0b001
    CONTINUOUS_TO_FIFO = 0b011
    BYPASS_TO_CONTINUOUS = 0b100
    CONTINUOUS = 0b110
    BYPASS_TO_FIFO = 0b111


class FifoTag(IntEnum):
    """FIFO_DATA_OUT_TAG.TAG_SENSOR (bits 7:3)."""

    GYRO = 0x01
    ACCEL = 0x02


#: ODR_XL / ODR_G / BDR_XL / BDR_GY codes by nominal rate in Hz (12 stands for 12.5 Hz).
ODR_CODE: dict[int, int] = {
    12: 0x1, 26: 0x2, 52: 0x3, 104: 0x4, 208: 0x5, 416: 0x6,
    833: 0x7, 1666: 0x8, 3333: 0x9, 6666: 0xA,
}
#: Sample rate in Hz of each ODR code.
ODR_HZ: dict[int, float] = {
    0x1: 12.5, 0x2: 26.0, 0x3: 52.0, 0x4: 104.0, 0x5: 208.0, 0x6: 416.0,
    0x7: 833.0, 0x8: 1666.0, 0x9: 3333.0, 0xA: 6666.0, 0xB: 1.6,
}
#: CTRL1_XL.FS_XL codes by full scale in g (XL_FS_MODE = 0).
ACCEL_FS_CODE: dict[int, int] = {2: 0b00, 16: 0b01, 4: 0b10, 8: 0b11}
#: CTRL2_G {FS_G, FS_125} codes (bits 3:1) by full scale in dps.
GYRO_FS_CODE: dict[int, int] = {125: 0b001, 250: 0b000, 500: 0b010, 1000: 0b100, 2000: 0b110}


def ctrl1_xl(odr_hz: int, fs_g: int) -> int:
    """CTRL1_XL value for an accelerometer ODR (Hz, a key of :data:`ODR_CODE`) and full scale (g)."""
    return (ODR_CODE[odr_hz] << 4) | (ACCEL_FS_CODE[fs_g] << 2)


def ctrl2_g(odr_hz: int, fs_dps: int) -> int:
    """CTRL2_G value for a gyroscope ODR (Hz) and full scale (dps)."""
    return (ODR_CODE[odr_hz] << 4) | (GYRO_FS_CODE[fs_dps] << 1)
