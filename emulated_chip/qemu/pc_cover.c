/*
 * pc_cover.c - a QEMU TCG plugin that records which guest instructions ran.
 *
 *   qemu-system-arm ... -plugin pc_cover.so,out=FILE
 *
 * Each translation block gets an inline counter; the addresses of its
 * instructions are noted when it is translated. At exit FILE gets the address
 * of every instruction of every block that ran at least once, one hexadecimal
 * address a line (a block translated again may repeat some). The tables are
 * static: if the guest translates more than they hold, the first line of FILE
 * is "overflow" and the rest is what fitted (a small firmware never comes near).
 */
#include <stdio.h>
#include <string.h>

#include "plugin_api.h"

#define MAX_TBS 65536u
#define MAX_ADDRS (1u << 20)

PLUGIN_EXPORT int qemu_plugin_version = PLUGIN_API_VERSION;

static uint64_t g_hits[MAX_TBS];    /* times each block ran (inline add) */
static uint32_t g_first[MAX_TBS];   /* its first address in g_addrs */
static uint32_t g_count[MAX_TBS];   /* its number of instructions */
static uint64_t g_addrs[MAX_ADDRS]; /* instruction addresses, block after block */
static uint32_t g_n_tbs, g_n_addrs;
static int g_overflow;
static char g_out[4096];

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (g_n_tbs >= MAX_TBS || n > MAX_ADDRS - g_n_addrs) {
        g_overflow = 1;
        return;
    }
    uint32_t k = g_n_tbs++;
    g_first[k] = g_n_addrs;
    g_count[k] = (uint32_t)n;
    for (size_t i = 0; i < n; i++) g_addrs[g_n_addrs++] = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i));
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &g_hits[k], 1);
}

static void on_exit_write(qemu_plugin_id_t id, void *userdata) {
    (void)id;
    (void)userdata;
    FILE *f = fopen(g_out, "w");
    if (f == NULL) {
        qemu_plugin_outs("pc_cover: cannot write the out= file\n");
        return;
    }
    if (g_overflow) fputs("overflow\n", f);
    for (uint32_t k = 0; k < g_n_tbs; k++) {
        if (g_hits[k] == 0) continue;
        for (uint32_t i = 0; i < g_count[k]; i++) fprintf(f, "%llx\n", (unsigned long long)g_addrs[g_first[k] + i]);
    }
    fclose(f);
}

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0 && strlen(argv[i] + 4) < sizeof g_out) {
            strcpy(g_out, argv[i] + 4);
        } else {
            qemu_plugin_outs("pc_cover: bad option (want out=FILE)\n");
            return -1;
        }
    }
    if (g_out[0] == '\0') {
        qemu_plugin_outs("pc_cover: out=FILE is required\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit_write, NULL);
    return 0;
}
