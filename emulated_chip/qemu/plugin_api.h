/*
 * plugin_api.h - the part of QEMU's TCG plugin interface (API version 1, as
 * in QEMU 7.2) that insn_count.c and pc_cover.c use, declared here because Debian ships no
 * qemu-plugin.h. QEMU resolves these names in its own executable when it
 * loads the plugin (-plugin FILE.so); the signatures follow the interface
 * QEMU 7.2 documents in include/qemu/qemu-plugin.h.
 */
#ifndef STRIDELAB_QEMU_PLUGIN_API_H
#define STRIDELAB_QEMU_PLUGIN_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLUGIN_EXPORT __attribute__((visibility("default")))

/* The API version this plugin is built for: QEMU refuses a plugin whose
 * version lies outside the range it supports (7.2 supports 0 to 1). */
#define PLUGIN_API_VERSION 1

/** Opaque handle of a loaded plugin. */
typedef uint64_t qemu_plugin_id_t;

/** What QEMU tells the plugin about the guest at load time. */
typedef struct {
    const char *target_name; /**< guest architecture, e.g. "arm" */
    struct {
        int min, cur;        /**< plugin API versions QEMU supports */
    } version;
    bool system_emulation;   /**< true for qemu-system-*, false for user mode */
    union {                  /* anonymous in QEMU's header; named here for C99, same layout */
        struct {
            int smp_vcpus, max_vcpus;
        } system;
    } u;
} qemu_info_t;

/** A translation block being translated: valid only inside the translation callback. */
struct qemu_plugin_tb;

/** Whether a callback reads guest registers (this plugin never does). */
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };

/** Inline operations QEMU can emit into translated code. */
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

/* Called by QEMU once, at load; argv holds the "name=value" plugin options.
 * Return 0 to stay loaded. */
PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv);

/* Provided by QEMU. */
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
                                              uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
/** An instruction of a translation block (pc_cover.c reads its address). */
struct qemu_plugin_insn;
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

#endif /* STRIDELAB_QEMU_PLUGIN_API_H */
