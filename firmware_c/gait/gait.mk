# The gait analyzer as a library of its own: sources, headers, tests.
# Included by firmware_c/Makefile (which supplies WARN, FLOAT, SAN and BUILD);
# from firmware_c/:
#   make gait-lib    $(BUILD)/host/libstridelab.so: the analyzer alone, for ctypes
#   make gait-test   its unit tests under AddressSanitizer and UBSan, linked
#                    with the analyzer's sources only
# Everything the analyzer needs is under $(GAIT_DIR): include/ (the public
# gait.h and its options gait_config.h), src/ (sources and the private
# gait_state.h), tests/. The code uses <stdint.h>, <stdbool.h>, <math.h> and
# memset/errno from the C library; nothing from the rest of the firmware.

GAIT_DIR ?= gait
GAIT_SRC := $(wildcard $(GAIT_DIR)/src/*.c)
GAIT_HDR := $(wildcard $(GAIT_DIR)/include/*.h) $(wildcard $(GAIT_DIR)/src/*.h)
GAIT_INC := -I$(GAIT_DIR)/include
GAIT_TEST_SRC := $(wildcard $(GAIT_DIR)/tests/test_*.c)
GAIT_TESTS := $(patsubst $(GAIT_DIR)/tests/%.c,$(BUILD)/gait-test/%,$(GAIT_TEST_SRC))
# The tests' one assertion macro (CHECK) is shared with the firmware's tests.
GAIT_CHECK_DIR ?= tests
GAIT_LIB := $(BUILD)/host/libstridelab.so

GAIT_CFLAGS := $(WARN) $(FLOAT) $(GAIT_INC) -O2 -g

.PHONY: gait-lib gait-test
gait-lib: $(GAIT_LIB)
$(GAIT_LIB): $(GAIT_SRC) $(GAIT_HDR) $(GAIT_DIR)/gait.mk
	@mkdir -p $(dir $@)
	$(CC) $(GAIT_CFLAGS) -fPIC -shared -o $@ $(GAIT_SRC) -lm

gait-test: $(GAIT_TESTS)
	@set -e; for t in $(GAIT_TESTS); do echo "== $$t"; $$t; done

$(BUILD)/gait-test/%: $(GAIT_DIR)/tests/%.c $(GAIT_SRC) $(GAIT_HDR) $(GAIT_CHECK_DIR)/check.h
	@mkdir -p $(dir $@)
	$(CC) $(GAIT_CFLAGS) $(SAN) -I$(GAIT_DIR)/src -I$(GAIT_CHECK_DIR) -o $@ $< $(GAIT_SRC) -lm
