`timescale 1ns / 1ps
// lsm6dso.v - register-level model of the ST LSM6DSO 6-axis IMU (datasheet DS12140):
// the subset a firmware driver uses, at the datasheet's addresses.
//
//   serial interface  I2C slave at 0b110101<SA0> (CS high) or 4-wire SPI mode 3 (CS low),
//                     register auto-increment with CTRL3_C.IF_INC, FIFO address roll-back
//                     from FIFO_DATA_OUT_Z_H (7Eh) to FIFO_DATA_OUT_TAG (78h)
//   registers         WHO_AM_I = 6Ch, CTRL1_XL..CTRL10_C, STATUS_REG (XLDA, GDA),
//                     OUTX_L_G..OUTZ_H_A, FIFO_CTRL1..4, FIFO_STATUS1/2, FIFO_DATA_OUT_*,
//                     INT1_CTRL (DRDY_XL, DRDY_G, FIFO_TH, FIFO_OVR, FIFO_FULL), H_LACTIVE
//   behaviour         BDU, SW_RESET, FIFO bypass / FIFO / continuous modes with batch data
//                     rates (BDR <= ODR decimates), watermark, smart-full and overrun flags
//
// The sensing element is replaced by a sample port: on each rising edge of smp_strobe the
// model takes one sample of raw counts (what the ADC chain would produce at the current
// full scale) for every sensor whose ODR is not power-down. The sample source reads
// odr_xl/odr_g/fs_xl/fs_g to pace and scale its samples.
//
// Clocking. No internal oscillator is modelled, so an idle bus costs no simulation events:
// the register engine runs on rising SCL/SPC edges, SDA/SDO change on falling edges,
// START/STOP are SDA edges while SCL is high, and the sample path runs on smp_strobe.
// State owned by one domain and observed by another crosses as counters or toggle pairs
// (set side flips only while equal, clear side copies), so every register has one writer.
//
// Not modelled: embedded functions, OIS, sensor hub, timestamp and temperature batching,
// FIFO compression, triggered FIFO modes' triggers (so 011 behaves as continuous, 100 and
// 111 as bypass), I3C, TAG_PARITY (reads 0), OUT_TEMP (reads 0, i.e. 25 degC).
// Registers keep fields the model stores but does not act on, hence the lint waivers.
/* verilator lint_off UNUSEDPARAM */
/* verilator lint_off UNUSEDSIGNAL */
module lsm6dso #(
    parameter FIFO_AW = 7  // FIFO depth is 2**FIFO_AW words (tag + 6 bytes); the part has 512 (9)
) (
    input  wire               rst_n,       // power-on reset, active low, asynchronous
    input  wire               cs_n,        // CS pin: high selects I2C, low selects SPI
    input  wire               scl,         // SCL / SPC pin
    input  wire               sda_i,       // SDA / SDI pin as seen on the wire
    output wire               sda_oe,      // 1 = pull SDA low (open drain, I2C only)
    input  wire               sa0,         // SDO/SA0 pin level in I2C mode: address bit 0
    output wire               sdo,         // SDO pin in SPI mode
    output wire               sdo_oe,      // 1 while the part drives SDO (SPI selected)
    output wire               int1,        // INT1 pin (push-pull)
    input  wire               smp_strobe,  // rising edge: take one sample
    input  wire signed [15:0] smp_gx,
    input  wire signed [15:0] smp_gy,
    input  wire signed [15:0] smp_gz,
    input  wire signed [15:0] smp_ax,
    input  wire signed [15:0] smp_ay,
    input  wire signed [15:0] smp_az,
    output wire [3:0]         odr_xl,      // CTRL1_XL.ODR_XL
    output wire [3:0]         odr_g,       // CTRL2_G.ODR_G
    output wire [1:0]         fs_xl,       // CTRL1_XL.FS_XL
    output wire [2:0]         fs_g         // {CTRL2_G.FS_G, CTRL2_G.FS_125}
);

    // ---- register map (datasheet section 8) -------------------------------------------
    localparam [6:0] A_FUNC_CFG_ACCESS = 7'h01, A_PIN_CTRL = 7'h02,
                     A_FIFO_CTRL1 = 7'h07, A_FIFO_CTRL2 = 7'h08, A_FIFO_CTRL3 = 7'h09,
                     A_FIFO_CTRL4 = 7'h0A, A_COUNTER_BDR_REG1 = 7'h0B,
                     A_COUNTER_BDR_REG2 = 7'h0C, A_INT1_CTRL = 7'h0D, A_INT2_CTRL = 7'h0E,
                     A_WHO_AM_I = 7'h0F, A_CTRL1_XL = 7'h10, A_CTRL2_G = 7'h11,
                     A_CTRL3_C = 7'h12, A_CTRL10_C = 7'h19, A_STATUS_REG = 7'h1E,
                     A_OUTX_L_G = 7'h22, A_OUTZ_H_G = 7'h27, A_OUTX_L_A = 7'h28,
                     A_OUTZ_H_A = 7'h2D, A_FIFO_STATUS1 = 7'h3A, A_FIFO_STATUS2 = 7'h3B,
                     A_FIFO_TAG = 7'h78, A_FIFO_X_L = 7'h79, A_FIFO_Z_H = 7'h7E;
    localparam [7:0] WHO_AM_I_VALUE = 8'h6C;
    localparam [4:0] TAG_GYRO = 5'h01, TAG_ACCEL = 5'h02;
    localparam [2:0] FM_BYPASS = 3'b000, FM_FIFO = 3'b001, FM_CONT_TO_FIFO = 3'b011,
                     FM_CONTINUOUS = 3'b110;
    localparam integer DEPTH = 1 << FIFO_AW;
    // FIFO counters wrap at 1024, a multiple of every depth up to 512 words, so level and
    // head index stay exact modulo the counter width.
    localparam integer CW = 10;
    localparam [CW-1:0] DEPTH_W = 10'd1 << FIFO_AW;

    // I2C byte engine phases
    localparam [2:0] P_IDLE = 3'd0, P_ADDR = 3'd1, P_SUB = 3'd2, P_WDATA = 3'd3, P_RDATA = 3'd4;

    // ---- configuration registers (written only by the serial engine) -------------------
    reg [7:0] cfg [0:31];  // 00h..1Fh; only the writable ones are stored and read back

    function is_writable(input [6:0] a);
        is_writable = (a == A_FUNC_CFG_ACCESS) || (a == A_PIN_CTRL) ||
                      (a >= A_FIFO_CTRL1 && a <= A_INT2_CTRL) ||
                      (a >= A_CTRL1_XL && a <= A_CTRL10_C);
    endfunction

    function [7:0] reset_value(input [4:0] a);
        case (a)
            5'h02:   reset_value = 8'h3F;  // PIN_CTRL
            5'h12:   reset_value = 8'h04;  // CTRL3_C: IF_INC
            5'h18:   reset_value = 8'hE0;  // CTRL9_XL
            default: reset_value = 8'h00;
        endcase
    endfunction

    wire [7:0] ctrl1_xl = cfg[5'h10];
    wire [7:0] ctrl2_g = cfg[5'h11];
    wire [7:0] ctrl3_c = cfg[5'h12];
    wire [7:0] int1_ctrl = cfg[5'h0D];
    wire [8:0] fifo_wtm = {cfg[5'h08][0], cfg[5'h07]};
    wire [3:0] bdr_xl = cfg[5'h09][3:0];
    wire [3:0] bdr_gy = cfg[5'h09][7:4];
    wire [2:0] fifo_mode = cfg[5'h0A][2:0];
    wire       if_inc = ctrl3_c[2];
    wire       bdu = ctrl3_c[6];
    wire       h_lactive = ctrl3_c[5];

    assign odr_xl = ctrl1_xl[7:4];
    assign odr_g = ctrl2_g[7:4];
    assign fs_xl = ctrl1_xl[3:2];
    assign fs_g = {ctrl2_g[3:2], ctrl2_g[1]};

    // A data rate code is "on" when it names a rate; 1011b is 1.6 Hz (accel only).
    wire xl_on = (odr_xl >= 4'd1 && odr_xl <= 4'd11);
    wire g_on = (odr_g >= 4'd1 && odr_g <= 4'd10);
    wire fifo_collects = (fifo_mode == FM_FIFO) || (fifo_mode == FM_CONTINUOUS) ||
                         (fifo_mode == FM_CONT_TO_FIFO);
    wire fifo_overwrites = (fifo_mode == FM_CONTINUOUS) || (fifo_mode == FM_CONT_TO_FIFO);
    wire batch_xl_on = xl_on && bdr_xl >= 4'd1 && bdr_xl <= 4'd11;
    wire batch_g_on = g_on && bdr_gy >= 4'd1 && bdr_gy <= 4'd11;

    // Decimation of FIFO batching when BDR is below ODR: rates double per code step.
    function [9:0] decim_mask(input [3:0] odr, input [3:0] bdr);
        if (odr >= 4'd1 && odr <= 4'd10 && bdr >= 4'd1 && bdr < odr)
            decim_mask = (10'd1 << (odr - bdr)) - 10'd1;
        else
            decim_mask = 10'd0;
    endfunction

    // ---- sample-domain state (written only on smp_strobe) --------------------------------
    reg [47:0]   live_g, live_xl;       // {Z, Y, X}, little-endian bytes
    reg          new_g_t, new_xl_t;     // data-ready toggles (set side)
    reg [CW-1:0] wr_cnt, drop_cnt;      // words written / words dropped by overwrite
    reg          ovr_ia_set, ovr_lt_set;
    reg [9:0]    dec_g, dec_xl;
    reg [1:0]    slot;                  // TAG_CNT: batch time slot
    reg          gen_smp;               // reset generation acknowledged by the sample side
    reg [50:0]   mem [0:DEPTH-1];       // {is_accel, tag_cnt[1:0], data[47:0]}

    // ---- serial-domain state (written only on rising SCL/SPC) ----------------------------
    reg [CW-1:0] rd_cnt;                // words popped
    reg          seen_g_t, seen_xl_t;   // data-ready toggles (clear side)
    reg          ovr_ia_clr, ovr_lt_clr;
    reg          gen;                   // flips on SW_RESET
    reg [47:0]   hold_g, hold_xl;       // BDU snapshots
    reg          lock_g, lock_xl;
    reg [6:0]    ptr;                   // register address pointer
    reg [6:0]    last_load;             // address of the previous byte read
    reg [7:0]    st2_snap;              // FIFO_STATUS2 taken with FIFO_STATUS1
    reg [2:0]    phase;
    reg [3:0]    bitcnt;
    reg [7:0]    shift, tx;
    reg          next_oe, next_sdo, spi_rw, spi_pop_pending;
    reg          start_seen, stop_seen;

    // START / STOP (I2C mode only), negedge-SCL output registers
    reg start_t, stop_t, oe_q, sdo_q;

    // ---- derived status -------------------------------------------------------------------
    wire          outputs_valid = (gen == gen_smp);
    wire [CW-1:0] level = wr_cnt - rd_cnt - drop_cnt;
    wire [CW-1:0] head_cnt = rd_cnt + drop_cnt;
    wire [50:0]   head = mem[head_cnt[FIFO_AW-1:0]];
    wire          fifo_empty = (level == {CW{1'b0}});
    wire          xlda = outputs_valid && (new_xl_t != seen_xl_t);
    wire          gda = outputs_valid && (new_g_t != seen_g_t);
    wire          ovr_ia = (ovr_ia_set != ovr_ia_clr);
    wire          ovr_latched = (ovr_lt_set != ovr_lt_clr);
    wire [9:0]    diff_fifo = level;
    wire          wtm_ia = (fifo_wtm != 9'd0) && (diff_fifo >= {1'b0, fifo_wtm});
    wire [1:0]    words_per_event = {1'b0, batch_xl_on} + {1'b0, batch_g_on};
    wire [10:0]   level_next = {1'b0, level} + {9'd0, words_per_event};
    // "smart FIFO full": the next batch event fills it
    wire          full_ia = fifo_collects && (words_per_event != 2'd0) && (level_next >= {1'b0, DEPTH_W});
    wire [7:0]    fifo_status2 = {wtm_ia, ovr_ia, full_ia, 1'b0, ovr_latched, 1'b0, diff_fifo[9:8]};
    wire [47:0]   out_g = !outputs_valid ? 48'd0 : (lock_g ? hold_g : live_g);
    wire [47:0]   out_xl = !outputs_valid ? 48'd0 : (lock_xl ? hold_xl : live_xl);

    wire int1_active = (int1_ctrl[0] && xlda) || (int1_ctrl[1] && gda) ||
                       (int1_ctrl[3] && wtm_ia) || (int1_ctrl[4] && ovr_ia) ||
                       (int1_ctrl[5] && full_ia);
    assign int1 = int1_active ^ h_lactive;

    function [6:0] next_ptr(input [6:0] a);
        if (a == A_FIFO_Z_H)
            next_ptr = A_FIFO_TAG;  // the FIFO output window rolls back, one word at a time
        else if (if_inc)
            next_ptr = a + 7'd1;
        else
            next_ptr = a;
    endfunction

    wire       start_pending = (start_t != start_seen);
    wire       stop_pending = (stop_t != stop_seen);
    wire [6:0] my_addr = {6'b110101, sa0};
    wire [7:0] rx_byte = {shift[6:0], sda_i};
    wire [6:0] rd_addr = (!cs_n && !spi_cnt[3]) ? rx_byte[6:0] : ptr;

    // Value of the register at rd_addr as a read returns it, before any side effect.
    // (An always block rather than a function: a function's body would not be in the
    // sensitivity of a continuous assignment.)
    wire [7:0] cfg_rd = cfg[rd_addr[4:0]];
    reg  [7:0] rd_value;
    reg  [2:0] rd_off;
    always @* begin
        rd_value = 8'h00;
        rd_off = 3'd0;
        if (rd_addr >= A_OUTX_L_G && rd_addr <= A_OUTZ_H_G) begin
            rd_off = rd_addr[2:0] - 3'd2;
            rd_value = out_g[rd_off * 8 +: 8];
        end else if (rd_addr >= A_OUTX_L_A && rd_addr <= A_OUTZ_H_A) begin
            rd_off = rd_addr[2:0];
            rd_value = out_xl[rd_off * 8 +: 8];
        end else if (rd_addr == A_WHO_AM_I)
            rd_value = WHO_AM_I_VALUE;
        else if (rd_addr == A_STATUS_REG)
            rd_value = {6'b0, gda, xlda};
        else if (rd_addr == A_FIFO_STATUS1)
            rd_value = diff_fifo[7:0];
        else if (rd_addr == A_FIFO_STATUS2)
            rd_value = (last_load == A_FIFO_STATUS1) ? st2_snap : fifo_status2;
        else if (rd_addr == A_FIFO_TAG)
            rd_value = fifo_empty ? 8'h00 : {(head[50] ? TAG_ACCEL : TAG_GYRO), head[49:48], 1'b0};
        else if (rd_addr >= A_FIFO_X_L && rd_addr <= A_FIFO_Z_H) begin
            rd_off = rd_addr[2:0] - 3'd1;
            rd_value = fifo_empty ? 8'h00 : head[rd_off * 8 +: 8];
        end else if (rd_addr < 7'h20 && is_writable(rd_addr))
            rd_value = cfg_rd;
    end

    // SPI bit counter: [2:0] bit of the byte, [3] set after the command byte; cleared by CS.
    reg  [3:0] spi_cnt;
    wire       spi_rst = cs_n | ~rst_n;
    always @(posedge scl or posedge spi_rst) begin
        if (spi_rst)
            spi_cnt <= 4'd0;
        else
            spi_cnt <= {spi_cnt[3] | (spi_cnt[2:0] == 3'd7), spi_cnt[2:0] + 3'd1};
    end

    always @(negedge sda_i or negedge rst_n) begin
        if (!rst_n)
            start_t <= 1'b0;
        else if (scl && cs_n)
            start_t <= ~start_t;
    end

    always @(posedge sda_i or negedge rst_n) begin
        if (!rst_n)
            stop_t <= 1'b0;
        else if (scl && cs_n)
            stop_t <= ~stop_t;
    end

    always @(negedge scl or negedge rst_n) begin
        if (!rst_n) begin
            oe_q <= 1'b0;
            sdo_q <= 1'b1;
        end else begin
            // after a START or STOP nothing planned before it is driven
            oe_q <= next_oe && !start_pending && !stop_pending;
            sdo_q <= next_sdo;
        end
    end

    // The line is released at once on START/STOP, whatever the engine last planned.
    assign sda_oe = oe_q && cs_n && !start_pending && !stop_pending;
    assign sdo = sdo_q;
    assign sdo_oe = !cs_n;

    // ---- serial engine --------------------------------------------------------------------
    integer i;

    // Side effects of reading the byte at address a (value taken from rd_value).
    task load_byte(input [6:0] a, input pop_now);
        begin
            tx <= rd_value;
            last_load <= a;
            if (a >= A_OUTX_L_G && a <= A_OUTZ_H_G) begin
                if (a[0] == 1'b0 && bdu && !lock_g) begin
                    lock_g <= 1'b1;
                    hold_g <= live_g;
                end
                if (a[0] == 1'b1) begin
                    lock_g <= 1'b0;
                    seen_g_t <= new_g_t;
                end
            end
            if (a >= A_OUTX_L_A && a <= A_OUTZ_H_A) begin
                if (a[0] == 1'b0 && bdu && !lock_xl) begin
                    lock_xl <= 1'b1;
                    hold_xl <= live_xl;
                end
                if (a[0] == 1'b1) begin
                    lock_xl <= 1'b0;
                    seen_xl_t <= new_xl_t;
                end
            end
            if (a == A_FIFO_STATUS1)
                st2_snap <= fifo_status2;
            if (a == A_FIFO_STATUS2)
                ovr_lt_clr <= ovr_lt_set;
            if (a == A_FIFO_Z_H && pop_now)
                pop_word();
        end
    endtask

    task pop_word;
        if (!fifo_empty) begin
            rd_cnt <= rd_cnt + 1'b1;
            ovr_ia_clr <= ovr_ia_set;
        end
    endtask

    task flush_fifo;
        begin
            rd_cnt <= wr_cnt - drop_cnt;
            ovr_ia_clr <= ovr_ia_set;
            ovr_lt_clr <= ovr_lt_set;
        end
    endtask

    task write_reg(input [6:0] a, input [7:0] d);
        begin
            if (a == A_CTRL3_C && d[0]) begin
                // SW_RESET: configuration to defaults, FIFO emptied, outputs cleared
                for (i = 0; i < 32; i = i + 1)
                    cfg[i] <= reset_value(i[4:0]);
                flush_fifo();
                seen_g_t <= new_g_t;
                seen_xl_t <= new_xl_t;
                lock_g <= 1'b0;
                lock_xl <= 1'b0;
                gen <= ~gen;
            end else if (a < 7'h20 && is_writable(a)) begin
                cfg[a[4:0]] <= (a == A_CTRL3_C) ? {1'b0, d[6:0]} : d;  // BOOT self-clears
                if (a == A_FIFO_CTRL4 && d[2:0] == FM_BYPASS)
                    flush_fifo();
            end
        end
    endtask

    always @(posedge scl or negedge rst_n) begin
        if (!rst_n) begin
            for (i = 0; i < 32; i = i + 1)
                cfg[i] <= reset_value(i[4:0]);
            rd_cnt <= {CW{1'b0}};
            seen_g_t <= 1'b0;
            seen_xl_t <= 1'b0;
            ovr_ia_clr <= 1'b0;
            ovr_lt_clr <= 1'b0;
            gen <= 1'b0;
            hold_g <= 48'd0;
            hold_xl <= 48'd0;
            lock_g <= 1'b0;
            lock_xl <= 1'b0;
            ptr <= 7'd0;
            last_load <= 7'd0;
            st2_snap <= 8'd0;
            phase <= P_IDLE;
            bitcnt <= 4'd0;
            shift <= 8'd0;
            tx <= 8'd0;
            next_oe <= 1'b0;
            next_sdo <= 1'b1;
            spi_rw <= 1'b0;
            spi_pop_pending <= 1'b0;
            start_seen <= 1'b0;
            stop_seen <= 1'b0;
        end else if (!cs_n) begin
            // ---- SPI mode 3: sample SDI on the rising edge, MSB first ----
            next_oe <= 1'b0;
            phase <= P_IDLE;
            shift <= rx_byte;
            if (spi_cnt == 4'd0) begin
                spi_pop_pending <= 1'b0;  // a new transaction: the last prefetch was not read
                last_load <= 7'h7F;
            end
            else if (spi_cnt[2:0] == 3'd0 && spi_pop_pending) begin
                pop_word();  // the master clocks the prefetched 7Eh byte out: it is read
                spi_pop_pending <= 1'b0;
            end
            if (spi_cnt[2:0] == 3'd7) begin
                if (!spi_cnt[3]) begin
                    spi_rw <= rx_byte[7];
                    if (rx_byte[7]) begin
                        load_byte(rx_byte[6:0], 1'b0);
                        spi_pop_pending <= (rx_byte[6:0] == A_FIFO_Z_H);
                        next_sdo <= rd_value[7];
                        ptr <= next_ptr(rx_byte[6:0]);
                    end else
                        ptr <= rx_byte[6:0];
                end else if (spi_rw) begin
                    load_byte(ptr, 1'b0);
                    spi_pop_pending <= (ptr == A_FIFO_Z_H);
                    next_sdo <= rd_value[7];
                    ptr <= next_ptr(ptr);
                end else begin
                    write_reg(ptr, rx_byte);
                    ptr <= next_ptr(ptr);
                end
            end else if (spi_cnt[3] && spi_rw)
                next_sdo <= tx[3'd6 - spi_cnt[2:0]];
        end else if (start_pending) begin
            // ---- I2C: first address bit after a (repeated) START ----
            start_seen <= start_t;
            stop_seen <= stop_t;
            last_load <= 7'h7F;
            phase <= P_ADDR;
            shift <= {7'd0, sda_i};
            bitcnt <= 4'd1;
            next_oe <= 1'b0;
        end else if (stop_pending) begin
            stop_seen <= stop_t;  // clocks after a STOP without a START are ignored
            phase <= P_IDLE;
            next_oe <= 1'b0;
        end else if (phase != P_IDLE) begin
            if (bitcnt < 4'd8) begin
                bitcnt <= bitcnt + 4'd1;
                shift <= rx_byte;
                if (phase == P_RDATA)
                    next_oe <= (bitcnt == 4'd7) ? 1'b0 : ~tx[3'd6 - bitcnt[2:0]];
                else if (bitcnt == 4'd7) begin
                    // eighth bit in: ACK unless it is another device's address
                    next_oe <= 1'b1;
                    if (phase == P_ADDR) begin
                        if (rx_byte[7:1] != my_addr) begin
                            phase <= P_IDLE;
                            next_oe <= 1'b0;
                        end
                    end else if (phase == P_SUB)
                        ptr <= rx_byte[6:0];
                    else begin
                        write_reg(ptr, rx_byte);
                        ptr <= next_ptr(ptr);
                    end
                end
            end else begin
                // ninth clock: the acknowledge bit
                bitcnt <= 4'd0;
                if (phase == P_ADDR) begin
                    if (shift[0]) begin
                        phase <= P_RDATA;
                        load_byte(ptr, 1'b1);
                        next_oe <= ~rd_value[7];
                        ptr <= next_ptr(ptr);
                    end else begin
                        phase <= P_SUB;
                        next_oe <= 1'b0;
                    end
                end else if (phase == P_SUB) begin
                    phase <= P_WDATA;
                    next_oe <= 1'b0;
                end else if (phase == P_WDATA)
                    next_oe <= 1'b0;
                else if (!sda_i) begin
                    // master ACK: it wants the next byte
                    load_byte(ptr, 1'b1);
                    next_oe <= ~rd_value[7];
                    ptr <= next_ptr(ptr);
                end else begin
                    // master NACK: the read ends; wait for STOP or repeated START
                    phase <= P_IDLE;
                    next_oe <= 1'b0;
                end
            end
        end
    end

    // ---- sample path ------------------------------------------------------------------------
    wire [CW-1:0] space = DEPTH_W - level;
    wire          take_g = batch_g_on && ((dec_g & decim_mask(odr_g, bdr_gy)) == 10'd0);
    wire          take_xl = batch_xl_on && ((dec_xl & decim_mask(odr_xl, bdr_xl)) == 10'd0);
    wire [1:0]    n_words = fifo_collects ? ({1'b0, take_g} + {1'b0, take_xl}) : 2'd0;
    wire [1:0]    n_fit = ({8'd0, n_words} <= space) ? n_words : space[1:0];
    wire [1:0]    n_write = fifo_overwrites ? n_words : n_fit;
    wire [1:0]    n_drop = fifo_overwrites ? (n_words - n_fit) : 2'd0;
    wire [47:0]   smp_g = {smp_gz, smp_gy, smp_gx};
    wire [47:0]   smp_xl = {smp_az, smp_ay, smp_ax};
    wire [CW-1:0] wa0 = wr_cnt;
    wire [CW-1:0] wa1 = wr_cnt + 1'b1;

    always @(posedge smp_strobe or negedge rst_n) begin
        if (!rst_n) begin
            live_g <= 48'd0;
            live_xl <= 48'd0;
            new_g_t <= 1'b0;
            new_xl_t <= 1'b0;
            wr_cnt <= {CW{1'b0}};
            drop_cnt <= {CW{1'b0}};
            ovr_ia_set <= 1'b0;
            ovr_lt_set <= 1'b0;
            dec_g <= 10'd0;
            dec_xl <= 10'd0;
            slot <= 2'd0;
            gen_smp <= 1'b0;
        end else begin
            if (gen_smp != gen) begin
                // first sample after SW_RESET: the outputs start again from zero
                gen_smp <= gen;
                live_g <= 48'd0;
                live_xl <= 48'd0;
            end
            if (g_on) begin
                live_g <= smp_g;
                if (new_g_t == seen_g_t)
                    new_g_t <= ~new_g_t;
                dec_g <= dec_g + 10'd1;
            end else
                dec_g <= 10'd0;
            if (xl_on) begin
                live_xl <= smp_xl;
                if (new_xl_t == seen_xl_t)
                    new_xl_t <= ~new_xl_t;
                dec_xl <= dec_xl + 10'd1;
            end else
                dec_xl <= 10'd0;
            // gyroscope word first, then accelerometer, as one batch event
            if (n_write != 2'd0) begin
                if (take_g) begin
                    mem[wa0[FIFO_AW-1:0]] <= {1'b0, slot, smp_g};
                    if (take_xl && n_write == 2'd2)
                        mem[wa1[FIFO_AW-1:0]] <= {1'b1, slot, smp_xl};
                end else
                    mem[wa0[FIFO_AW-1:0]] <= {1'b1, slot, smp_xl};
                wr_cnt <= wr_cnt + {8'd0, n_write};
                slot <= slot + 2'd1;
            end
            if (n_drop != 2'd0) begin
                drop_cnt <= drop_cnt + {8'd0, n_drop};
                if (ovr_ia_set == ovr_ia_clr)
                    ovr_ia_set <= ~ovr_ia_set;
                if (ovr_lt_set == ovr_lt_clr)
                    ovr_lt_set <= ~ovr_lt_set;
            end
        end
    end

endmodule
