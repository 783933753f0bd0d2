`timescale 1ns / 1ps
// i2c_master_bfm.v - testbench-only I2C master: bit timing in the simulator, one command
// per byte, or per whole register transaction, from the test. Not synthesizable (delays);
// it exists so a co-simulation pays one simulator round trip per byte, or per transaction,
// instead of several per bit.
//
// Protocol: set op (and wdata / ack, or the x* inputs), then toggle go. When the operation
// is over, done toggles; rdata holds a read byte, nack the acknowledge bit a written byte got.
// conflict goes high (sticky until the next START) when SDA was low while the master
// released it to send a 1, or when a STOP could not be made.
//
// Register transactions (ops 5 and 6) run every bit in here and wake the test once:
//   WRITE_REGS  S  xaddr+W  xreg  xwdata[0..xlen-1]  P
//   READ_REGS   S  xaddr+W  xreg  Sr  xaddr+R  xlen bytes (ACK, NACK on the last)  P
// Byte k of xwdata / xrdata is bits [8k+7:8k]. On a missing ACK the master sends STOP at
// once and xnack says where: 1 address+W, 2 register address, 3 data byte xnack_at,
// 4 address+R (0: every byte was acknowledged).
module i2c_master_bfm #(
    parameter integer T_LOW = 1300,   // SCL low time, ns (fast mode)
    parameter integer T_HIGH = 1200,  // SCL high time, ns
    parameter integer T_HOLD = 300,   // SDA change after SCL falls, ns
    parameter integer XMAX = 128      // most data bytes in one register transaction
) (
    input  wire [2:0] op,       // 1 START / repeated START, 2 WRITE, 3 READ, 4 STOP, 5 WRITE_REGS, 6 READ_REGS
    input  wire       go,
    input  wire [7:0] wdata,
    input  wire       ack,      // READ: 1 = acknowledge (more bytes follow)
    input  wire [6:0] xaddr,    // register transactions: 7-bit device address
    input  wire [7:0] xreg,     //   first register
    input  wire [7:0] xlen,     //   data bytes, 1..XMAX
    input  wire [8*XMAX-1:0] xwdata,
    output reg  [8*XMAX-1:0] xrdata,
    output reg  [2:0] xnack,
    output reg  [7:0] xnack_at,
    output reg        done,
    output reg  [7:0] rdata,
    output reg        nack,
    output reg        conflict,
    output reg        scl_o,    // 1 = release, 0 = pull low
    output reg        sda_o,
    input  wire       sda       // resolved line
);
    localparam [2:0] OP_START = 3'd1, OP_WRITE = 3'd2, OP_READ = 3'd3, OP_STOP = 3'd4,
                     OP_WRITE_REGS = 3'd5, OP_READ_REGS = 3'd6;
    integer i, k;
    reg open;
    reg b;
    reg [7:0] byte_in;

    initial begin
        scl_o = 1'b1;
        sda_o = 1'b1;
        done = 1'b0;
        rdata = 8'h00;
        nack = 1'b0;
        conflict = 1'b0;
        open = 1'b0;
        xrdata = {8*XMAX{1'b0}};
        xnack = 3'd0;
        xnack_at = 8'd0;
    end

    task bit_out(input bo);
        begin
            #(T_HOLD) sda_o = bo;
            #(T_LOW - T_HOLD) scl_o = 1'b1;
            #(T_HIGH);
            if (bo && !sda)
                conflict = 1'b1;
            scl_o = 1'b0;
        end
    endtask

    task bit_in(output bi);
        begin
            #(T_HOLD) sda_o = 1'b1;
            #(T_LOW - T_HOLD) scl_o = 1'b1;
            #(T_HIGH) bi = sda;
            scl_o = 1'b0;
        end
    endtask

    task do_start;
        begin
            conflict = 1'b0;
            if (open) begin
                #(T_HOLD) sda_o = 1'b1;
                #(T_LOW - T_HOLD) scl_o = 1'b1;
                #(T_HIGH);
            end
            if (!sda)
                conflict = 1'b1;
            sda_o = 1'b0;
            #(T_HIGH) scl_o = 1'b0;
            open = 1'b1;
        end
    endtask

    task do_stop;
        begin
            #(T_HOLD) sda_o = 1'b0;
            #(T_LOW - T_HOLD) scl_o = 1'b1;
            #(T_HIGH) sda_o = 1'b1;
            #(T_LOW);
            if (!sda)
                conflict = 1'b1;
            open = 1'b0;
        end
    endtask

    // one byte out, MSB first; nack_bit gets the receiver's answer (1 = not acknowledged)
    task do_write(input [7:0] value, output nack_bit);
        begin
            for (i = 7; i >= 0; i = i - 1)
                bit_out(value[i]);
            bit_in(nack_bit);
        end
    endtask

    task do_read(input ack_it, output [7:0] value);
        begin
            for (i = 7; i >= 0; i = i - 1) begin
                bit_in(b);
                value[i] = b;
            end
            bit_out(!ack_it);
        end
    endtask

    always @(go) begin
        case (op)
            OP_START: do_start;
            OP_WRITE: begin
                do_write(wdata, b);
                nack = b;
            end
            OP_READ: begin
                do_read(ack, byte_in);
                rdata = byte_in;
            end
            OP_STOP: do_stop;
            OP_WRITE_REGS: begin
                xnack = 3'd0;
                do_start;
                do_write({xaddr, 1'b0}, b);
                if (b) xnack = 3'd1;
                if (xnack == 3'd0) begin
                    do_write(xreg, b);
                    if (b) xnack = 3'd2;
                end
                for (k = 0; k < xlen && xnack == 3'd0; k = k + 1) begin
                    do_write(xwdata[8*k +: 8], b);
                    if (b) begin
                        xnack = 3'd3;
                        xnack_at = k;
                    end
                end
                do_stop;
            end
            OP_READ_REGS: begin
                xnack = 3'd0;
                do_start;
                do_write({xaddr, 1'b0}, b);
                if (b) xnack = 3'd1;
                if (xnack == 3'd0) begin
                    do_write(xreg, b);
                    if (b) xnack = 3'd2;
                end
                if (xnack == 3'd0) begin
                    do_start;
                    do_write({xaddr, 1'b1}, b);
                    if (b) xnack = 3'd4;
                end
                if (xnack == 3'd0) begin
                    for (k = 0; k < xlen; k = k + 1) begin
                        do_read(k < xlen - 1, byte_in);
                        xrdata[8*k +: 8] = byte_in;
                    end
                end
                do_stop;
            end
            default: ;
        endcase
        done = ~done;
    end
endmodule
