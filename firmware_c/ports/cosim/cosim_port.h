/*
 * cosim_port.h - the firmware as a co-simulation port: the application, analyzer,
 * frame codec and LSM6DSO driver built for the host, with the sensor bus, INT1
 * and the clock provided by a logic simulation of the part.
 *
 * The simulation (cocotb, through ctypes) calls cosim_run() from a thread it has
 * bridged to simulated time: every callback in cosim_sim_t that moves the bus or
 * sleeps returns only when the simulator has done so, so each register access costs
 * the simulated time it takes on the wire and simulated time stands still while
 * the C code computes. The link to the rig is a TCP socket on loopback, the same
 * framing as on every other port.
 *
 * No wait of the port is bounded by the host's clock: a busy host slows the rig and the
 * simulation alike and must not change a run's verdict. A wait on the simulation (the
 * sensor's stream) is bounded in simulated time (sim_limit_ns); a wait on the rig (to
 * connect, to configure, to take a frame, to close the link) lasts as long as the rig's
 * process lives and its end of the link is open, and no longer. The rig bounds its own
 * waits and stops the simulation when it gives up.
 *
 * Sensor axes: the model is fed samples already in the shoe frame, so the port maps
 * sensor x, y, z to shoe x, y, z unchanged (identity).
 *
 * Error convention: 0 or a negative errno value. Nothing is allocated: the port's
 * state is static, one port per process, like a board's firmware.
 */
#ifndef COSIM_PORT_H
#define COSIM_PORT_H

#include <stddef.h>
#include <stdint.h>

/* Bits of cosim_sim_t.wait's result. */
#define COSIM_WAKE_INT1 0x1         /* woken at the rising edge of INT1 (FIFO watermark or overrun);
                                       not set when the wake-up came later than the edge */
#define COSIM_WAKE_STREAM_OVER 0x2  /* the testbench has fed its last sample */

/** What the simulation provides. Each callback gets ctx back unchanged. */
typedef struct {
    void *ctx;
    /** Read len bytes from consecutive sensor registers starting at reg; 0 or a negative errno. */
    int (*bus_read)(void *ctx, uint8_t reg, uint8_t *buf, size_t len);
    /** Write len bytes to consecutive sensor registers starting at reg; 0 or a negative errno. */
    int (*bus_write)(void *ctx, uint8_t reg, const uint8_t *buf, size_t len);
    /**
     * Sleep until INT1 rises, the sample stream is over, or timeout_us of simulated
     * time passed (as an MCU in WFI with INT1 on an edge-triggered interrupt line).
     * @return COSIM_WAKE_* bits (0: timed out), or a negative errno value.
     */
    int (*wait)(void *ctx, uint32_t timeout_us);
    /** Simulated time, ns: the MCU's clock. It moves only inside the callbacks above. */
    uint64_t (*now_ns)(void *ctx);
} cosim_sim_t;

/** Settings of one run; cosim_options_default() fills every field. */
typedef struct {
    const char *announce_path;   /**< file that gets "127.0.0.1:PORT\n" once the port listens; NULL: none */
    uint16_t tcp_port;           /**< loopback port to listen on, 0: any free one */
    int32_t rig_pid;             /**< the rig's process: every wait on the rig ends when it is gone;
                                      0: the parent process */
    uint32_t poll_us;            /**< longest sleep without INT1, simulated us (at least twice the
                                      watermark period) */
    uint64_t sim_limit_ns;       /**< simulated time by which the stream must be over (0: none) */
    uint16_t fifo_wtm_samples;   /**< FIFO watermark, 6-axis samples */
} cosim_options_t;

/** What one run did, for the simulation's report. */
typedef struct {
    uint32_t samples;    /**< samples handed to the application */
    uint32_t wakeups;    /**< returns from wait */
    uint32_t int1_wakeups;
    uint32_t overruns;   /**< FIFO overruns the driver handled */
    uint32_t anchors;    /**< reads that timed the slot clock on INT1 */
    uint32_t gaps;       /**< index gaps found by timing the FIFO */
    uint32_t missing;    /**< sample slots those gaps skipped */
    uint32_t resyncs;    /**< times the sample count ran ahead of the clock */
    uint32_t odr_hz;     /**< output rate the sensor was configured for (0 if it never was) */
    uint64_t stream_end_ns; /**< simulated time the stream was found over */
} cosim_stats_t;

/** Defaults: any port, the parent process as the rig, 100 ms polls, watermark 16. */
void cosim_options_default(cosim_options_t *opt);

/**
 * Run the firmware: listen, announce, accept the rig, send HELLO, wait for CONFIG
 * in live mode, start the sensor, then analyze its FIFO until the stream is over,
 * send the last stride and SUMMARY, and wait for the rig to close the link.
 * On a fatal error a LOG frame says why before the link is closed.
 * @param stats filled in as the run goes (may be NULL)
 * @return 0 after a whole run; -EINVAL on bad arguments; -ESRCH when the rig's process
 *         (rig_pid) ended before it closed the link; -ETIMEDOUT when the stream outlived
 *         sim_limit_ns; -EPIPE if the rig closed the link before SUMMARY; or the error of
 *         the link, the socket calls or the sensor driver.
 */
int cosim_run(const cosim_sim_t *sim, const cosim_options_t *opt, cosim_stats_t *stats);

/** Size of cosim_sim_t, cosim_options_t, cosim_stats_t and cosim_co_t, for the caller's layout check. */
size_t cosim_struct_size(int which);

/*
 * Stepping the port from the simulation's own thread (cosim_co.c).
 *
 * cosim_co_start() runs cosim_run() on a stack of its own, in the caller's thread, until the
 * port asks something of the simulation (a bus transaction, a sleep); it then returns with the
 * request in cosim_co_t. The simulation carries it out in simulated time, writes the answer
 * into the same cosim_co_t and calls cosim_co_resume(), which runs the port on to its next
 * request. No thread, lock or callback into the simulation's language is involved: the
 * simulation wakes once per register transaction and once per sleep, and nothing else.
 */

/* What the port asks (cosim_co_t.op). */
#define COSIM_CO_READ 1  /* read len bytes from consecutive registers from reg into data */
#define COSIM_CO_WRITE 2 /* write data[0..len) to consecutive registers from reg */
#define COSIM_CO_WAIT 3  /* sleep as cosim_sim_t.wait does, at most timeout_us of simulated time */
#define COSIM_CO_DONE 4  /* cosim_run() returned result: the run is over */
/* Most bytes one bus request carries (the driver's FIFO bursts are 112). */
#define COSIM_CO_MAX_BYTES 256u

/** A request of the port and the simulation's answer. */
typedef struct {
    int32_t op;          /**< COSIM_CO_*, set by the port */
    uint8_t reg;         /**< READ, WRITE: first register */
    uint16_t len;        /**< READ, WRITE: bytes */
    uint32_t timeout_us; /**< WAIT: longest sleep, simulated us */
    int32_t result;      /**< the answer: 0 or a negative errno (READ, WRITE), COSIM_WAKE_* bits or a
                              negative errno (WAIT); for DONE, cosim_run()'s return code */
    uint64_t now_ns;     /**< simulated time, ns: set by the simulation before every resume */
    uint8_t data[COSIM_CO_MAX_BYTES]; /**< WRITE: the bytes to write; READ: the answer's bytes */
} cosim_co_t;

/**
 * Start a run (see cosim_run) and run it to its first request.
 * @param co the request block, kept by the port until the run is DONE; set co->now_ns first
 * @return 0 with co->op set; -EINVAL on bad arguments; -EBUSY while another run is under way
 */
int cosim_co_start(const cosim_options_t *opt, cosim_stats_t *stats, cosim_co_t *co);

/**
 * Hand the port the answer in co (result, and data for a READ; now_ns always) and run it to
 * its next request (co->op; COSIM_CO_DONE when the run is over).
 * @return 0; -EINVAL when no run is under way or co is not the run's request block
 */
int cosim_co_resume(cosim_co_t *co);

#endif /* COSIM_PORT_H */
