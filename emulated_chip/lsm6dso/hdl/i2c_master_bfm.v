`timescale 1ns / 1ps
// i2c_master_bfm.v - testbench-only I2C master: bit timing in the simulator, one command
// per byte from the test. Not synthesizable (delays); it exists so a co-simulation pays
// one simulator round trip per byte instead of several per bit.
//
// Protocol: set op (and wdata / ack), then toggle go. When the operation is over,
// done toggles; rdata holds a read byte, nack the acknowledge bit a written byte got.
// conflict goes high (sticky until the next START) when SDA was low while the master
// released it to send a 1, or when a STOP could not be made.
module i2c_master_bfm #(
    parameter integer T_LOW = 1300,   // SCL low time, ns (fast mode)
    parameter integer T_HIGH = 1200,  // SCL high time, ns
    parameter integer T_HOLD = 300    // SDA change after SCL falls, ns
) (
    input  wire [2:0] op,       // 1 START / repeated START, 2 WRITE, 3 READ, 4 STOP
    input  wire       go,
    input  wire [7:0] wdata,
    input  wire       ack,      // READ: 1 = acknowledge (more bytes follow)
    output reg        done,
    output reg  [7:0] rdata,
    output reg        nack,
    output reg        conflict,
    output reg        scl_o,    // 1 = release, 0 = pull low
    output reg        sda_o,
    input  wire       sda       // resolved line
);
    localparam [2:0] OP_START = 3'd1, OP_WRITE = 3'd2, OP_READ = 3'd3, OP_STOP = 3'd4;
    integer i;
    reg open;

    initial begin
        scl_o = 1'b1;
        sda_o = 1'b1;
        done = 1'b0;
        rdata = 8'h00;
        nack = 1'b0;
        conflict = 1'b0;
        open = 1'b0;
    end

    task bit_out(input b);
        begin
            #(T_HOLD) sda_o = b;
            #(T_LOW - T_HOLD) scl_o = 1'b1;
            #(T_HIGH);
            if (b && !sda)
                conflict = 1'b1;
            scl_o = 1'b0;
        end
    endtask

    task bit_in(output b);
        begin
            #(T_HOLD) sda_o = 1'b1;
            #(T_LOW - T_HOLD) scl_o = 1'b1;
            #(T_HIGH) b = sda;
            scl_o = 1'b0;
        end
    endtask

    reg b;
    always @(go) begin
        case (op)
            OP_START: begin
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
            OP_WRITE: begin
                for (i = 7; i >= 0; i = i - 1)
                    bit_out(wdata[i]);
                bit_in(b);
                nack = b;
            end
            OP_READ: begin
                for (i = 7; i >= 0; i = i - 1) begin
                    bit_in(b);
                    rdata[i] = b;
                end
                bit_out(!ack);
            end
            OP_STOP: begin
                #(T_HOLD) sda_o = 1'b0;
                #(T_LOW - T_HOLD) scl_o = 1'b1;
                #(T_HIGH) sda_o = 1'b1;
                #(T_LOW);
                if (!sda)
                    conflict = 1'b1;
                open = 1'b0;
            end
            default: ;
        endcase
        done = ~done;
    end
endmodule
