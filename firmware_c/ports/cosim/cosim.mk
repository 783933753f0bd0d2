# The co-simulation port (the rig's cocotb target) as a shared library for ctypes.
# From firmware_c/:
#   make -f ports/cosim/cosim.mk        $(BUILD)/cosim/libstridelab_cosim.so
#   make -f ports/cosim/cosim.mk cosim-test   the port's unit test under AddressSanitizer and UBSan
# Products in $(BUILD)/cosim/.

# The Makefile's WARN, FLOAT, INC, CORE_SRC, CORE_HDR, HOST_CFLAGS and SAN: one set of
# warning and float rules for every build.
include Makefile
.DEFAULT_GOAL := cosim

PORT_COSIM := ports/cosim
COSIM_OUT := $(BUILD)/cosim
COSIM_SRC := $(PORT_COSIM)/cosim_port.c $(PORT_COSIM)/cosim_co.c $(PORT_COSIM)/slotclock.c
COSIM_HDR := $(wildcard $(PORT_COSIM)/*.h)
COSIM_LIB := $(COSIM_OUT)/libstridelab_cosim.so
COSIM_TEST := $(COSIM_OUT)/test_slotclock

.PHONY: cosim cosim-test
cosim: $(COSIM_LIB)

$(COSIM_LIB): $(CORE_SRC) $(CORE_HDR) $(COSIM_SRC) $(COSIM_HDR) $(PORT_COSIM)/cosim.mk
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -I$(PORT_COSIM) -fPIC -shared -o $@ $(CORE_SRC) $(COSIM_SRC) -lm

cosim-test: $(COSIM_TEST)
	$(COSIM_TEST)

$(COSIM_TEST): tests/check.h $(PORT_COSIM)/test_slotclock.c $(PORT_COSIM)/slotclock.c $(PORT_COSIM)/slotclock.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN) -I$(PORT_COSIM) -Itests -o $@ $(PORT_COSIM)/test_slotclock.c $(PORT_COSIM)/slotclock.c
