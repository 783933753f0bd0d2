# The STM32F4 image (NUCLEO-F401RE; QEMU netduinoplus2 runs the same file).
# Called by the Makefile's `make arm` from firmware_c/:
#   make -f ports/stm32f4/stm32f4.mk BUILD=build
# Products in $(BUILD)/arm/: stridelab-fw.elf (flash it, or give it to QEMU),
# stridelab-fw.bin (raw flash image from 0x08000000), stridelab-fw.map.

# The Makefile's WARN, FLOAT, INC and CORE_SRC: one set of warning and float
# rules for the host and the ARM build, so both round alike.
include Makefile
.DEFAULT_GOAL := image

ARM_PREFIX ?= arm-none-eabi-
ARM_CC := $(ARM_PREFIX)gcc
ARM_OBJCOPY := $(ARM_PREFIX)objcopy
ARM_SIZE := $(ARM_PREFIX)size
ARM_OPT ?= -O2

PORT := ports/stm32f4
OUT := $(BUILD)/arm
ELF := $(OUT)/stridelab-fw.elf
CPU := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
ARM_CFLAGS := $(WARN) $(FLOAT) $(INC) -I$(PORT) $(CPU) $(ARM_OPT) -g -ffunction-sections -fdata-sections
ARM_LDFLAGS := $(CPU) -T $(PORT)/stm32f4.ld -nostartfiles --specs=nano.specs -Wl,--gc-sections \
    -Wl,-Map=$(OUT)/stridelab-fw.map

ARM_SRC := $(CORE_SRC) $(wildcard $(PORT)/*.c)
ARM_OBJ := $(patsubst %.c,$(OUT)/obj/%.o,$(ARM_SRC))

.PHONY: image
image: $(ELF) $(OUT)/stridelab-fw.bin
	@$(ARM_SIZE) $(ELF)

$(OUT)/obj/%.o: %.c $(CORE_HDR) $(wildcard $(PORT)/*.h) $(PORT)/stm32f4.mk
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_CFLAGS) -c -o $@ $<

$(ELF): $(ARM_OBJ) $(PORT)/stm32f4.ld
	$(ARM_CC) $(ARM_LDFLAGS) -o $@ $(ARM_OBJ) -lm

$(OUT)/stridelab-fw.bin: $(ELF)
	$(ARM_OBJCOPY) -O binary $< $@

# Flash the image onto the NUCLEO-F401RE through its ST-LINK: OpenOCD when it
# is installed, else stlink-tools' st-flash. `make -C firmware_c flash`.
OPENOCD ?= openocd
ST_FLASH ?= st-flash
FLASH_HINT := is the NUCLEO plugged in (lsusb lists an STMicroelectronics ST-LINK) and free (no other debugger attached)?

.PHONY: program
program: $(ELF) $(OUT)/stridelab-fw.bin
	@if command -v $(OPENOCD) >/dev/null 2>&1; then \
	    $(OPENOCD) -f board/st_nucleo_f4.cfg -c "program $(ELF) verify reset exit" \
	        || { echo "make flash: $(OPENOCD) could not program $(ELF): $(FLASH_HINT)" >&2; exit 1; }; \
	elif command -v $(ST_FLASH) >/dev/null 2>&1; then \
	    $(ST_FLASH) --reset write $(OUT)/stridelab-fw.bin 0x08000000 \
	        || { echo "make flash: $(ST_FLASH) could not write $(OUT)/stridelab-fw.bin: $(FLASH_HINT)" >&2; exit 1; }; \
	else \
	    echo "make flash: no flasher found ($(OPENOCD), $(ST_FLASH)): apt-get install openocd, or stlink-tools" >&2; \
	    exit 2; \
	fi
