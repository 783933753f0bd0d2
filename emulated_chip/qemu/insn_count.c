/*
 * insn_count.c - a QEMU TCG plugin that counts executed guest instructions.
 *
 *   qemu-system-arm ... -plugin insn_count.so,out=FILE[,start=ADDR,stop=ADDR...]
 *
 * Always counts every instruction (an add emitted into each translation
 * block). With start and stop addresses it also counts the instructions of a
 * window: it opens when a translation block starting at `start` runs (a
 * function's entry) and closes when one starting at any `stop` runs (the
 * instruction after each call site: where the function returns to). A call
 * and a return always begin a translation block, so the window is exact to
 * the instruction, callees included; an interrupt taken inside the window is
 * counted with it. Up to 16 stop addresses, hexadecimal (0x...) or decimal.
 *
 * At exit it writes one line to FILE:
 *   total=<instructions> window=<instructions in windows> windows=<times opened>
 * Exit status of QEMU is not touched; a bad option makes the load fail with a
 * message on QEMU's log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_api.h"

#define MAX_STOPS 16

PLUGIN_EXPORT int qemu_plugin_version = PLUGIN_API_VERSION;

enum { TB_PLAIN = 0, TB_START = 1, TB_STOP = 2 };

static uint64_t g_total;          /* every instruction (inline add) */
static uint64_t g_window;         /* instructions while the window is open */
static uint64_t g_windows;        /* times the window opened */
static int g_open;
static uint64_t g_start;
static uint64_t g_stops[MAX_STOPS];
static int g_n_stops;
static int g_have_window;
static char g_out[4096];

/* Userdata of a block's callback: its instruction count and kind in one word,
 * so nothing is allocated per translation. */
static void *pack(uint64_t n_insns, unsigned kind) { return (void *)(uintptr_t)(n_insns << 2 | kind); }

static void on_block(unsigned int vcpu_index, void *userdata) {
    (void)vcpu_index;
    uintptr_t v = (uintptr_t)userdata;
    unsigned kind = (unsigned)(v & 3u);
    if (kind == TB_START) {
        g_open = 1;
        g_windows++;
    } else if (kind == TB_STOP) {
        g_open = 0;
    }
    if (g_open) g_window += v >> 2;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    uint64_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &g_total, n);
    if (!g_have_window) return;
    uint64_t at = qemu_plugin_tb_vaddr(tb);
    unsigned kind = TB_PLAIN;
    if (at == g_start) kind = TB_START;
    for (int i = 0; i < g_n_stops; i++) {
        if (at == g_stops[i]) kind = TB_STOP;
    }
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, pack(n, kind));
}

static void on_exit_write(qemu_plugin_id_t id, void *userdata) {
    (void)id;
    (void)userdata;
    FILE *f = fopen(g_out, "w");
    if (f == NULL) {
        qemu_plugin_outs("insn_count: cannot write the out= file\n");
        return;
    }
    fprintf(f, "total=%llu window=%llu windows=%llu\n", (unsigned long long)g_total,
            (unsigned long long)g_window, (unsigned long long)g_windows);
    fclose(f);
}

static int parse_addr(const char *text, uint64_t *out) {
    char *end;
    unsigned long long v = strtoull(text, &end, 0);
    if (*text == '\0' || *end != '\0') return -1;
    *out = v;
    return 0;
}

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    (void)info;
    int have_start = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "out=", 4) == 0 && strlen(a + 4) < sizeof g_out) {
            strcpy(g_out, a + 4);
        } else if (strncmp(a, "start=", 6) == 0 && parse_addr(a + 6, &g_start) == 0) {
            have_start = 1;
        } else if (strncmp(a, "stop=", 5) == 0 && g_n_stops < MAX_STOPS &&
                   parse_addr(a + 5, &g_stops[g_n_stops]) == 0) {
            g_n_stops++;
        } else {
            qemu_plugin_outs("insn_count: bad option (want out=FILE, start=ADDR, stop=ADDR)\n");
            return -1;
        }
    }
    if (g_out[0] == '\0' || have_start != (g_n_stops > 0)) {
        qemu_plugin_outs("insn_count: out=FILE is required; start= and stop= go together\n");
        return -1;
    }
    g_have_window = have_start;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit_write, NULL);
    return 0;
}
