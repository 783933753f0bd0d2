`timescale 1ns / 1ps
// lsm6dso_tb.v - the LSM6DSO model on a board as the X-NUCLEO-IKS01A3 wires it: SA0 high
// (I2C address 6Bh), an open-drain I2C bus with pull-ups, and a 4-wire SPI alternative.
//
// A bus master in the testbench never drives the lines directly: it releases (1) or pulls
// low (0) scl_m / sda_m, and reads the resolved lines scl / sda, as on a wired-AND bus.
// For SPI it drives cs_n, scl (as SPC) and sda_m (as SDI) push-pull and reads sdo.
// A second I2C master, the byte-level bus-functional model i2c_master_bfm, shares the
// bus (bfm_* ports); whichever master is unused leaves its lines released.
module lsm6dso_tb #(
    parameter FIFO_AW = 7
) (
    input  wire               rst_n,
    input  wire               cs_n,       // 1: I2C mode (idle), 0: SPI transaction
    input  wire               scl_m,      // master's SCL / SPC: 1 = release, 0 = pull low
    input  wire               sda_m,      // master's SDA / SDI: 1 = release, 0 = pull low
    output wire               scl,        // resolved SCL line
    output wire               sda,        // resolved SDA line
    output wire               sdo,        // SPI data out of the part (high-Z reads 1)
    output wire               int1,
    input  wire               smp_strobe,
    input  wire signed [15:0] smp_gx,
    input  wire signed [15:0] smp_gy,
    input  wire signed [15:0] smp_gz,
    input  wire signed [15:0] smp_ax,
    input  wire signed [15:0] smp_ay,
    input  wire signed [15:0] smp_az,
    output wire [3:0]         odr_xl,
    output wire [3:0]         odr_g,
    output wire [1:0]         fs_xl,
    output wire [2:0]         fs_g,
    input  wire [2:0]         bfm_op,
    input  wire               bfm_go,
    input  wire [7:0]         bfm_wdata,
    input  wire               bfm_ack,
    output wire               bfm_done,
    output wire [7:0]         bfm_rdata,
    output wire               bfm_nack,
    output wire               bfm_conflict
);
    wire chip_sda_oe, chip_sdo, chip_sdo_oe, bfm_scl, bfm_sda;

    // Pull-ups: a line is high unless someone pulls it low.
    assign scl = scl_m & bfm_scl;
    assign sda = sda_m & bfm_sda & ~chip_sda_oe;
    assign sdo = chip_sdo_oe ? chip_sdo : 1'b1;

    i2c_master_bfm u_bfm (
        .op(bfm_op),
        .go(bfm_go),
        .wdata(bfm_wdata),
        .ack(bfm_ack),
        .done(bfm_done),
        .rdata(bfm_rdata),
        .nack(bfm_nack),
        .conflict(bfm_conflict),
        .scl_o(bfm_scl),
        .sda_o(bfm_sda),
        .sda(sda)
    );

    lsm6dso #(.FIFO_AW(FIFO_AW)) u_chip (
        .rst_n(rst_n),
        .cs_n(cs_n),
        .scl(scl),
        .sda_i(sda),
        .sda_oe(chip_sda_oe),
        .sa0(1'b1),
        .sdo(chip_sdo),
        .sdo_oe(chip_sdo_oe),
        .int1(int1),
        .smp_strobe(smp_strobe),
        .smp_gx(smp_gx),
        .smp_gy(smp_gy),
        .smp_gz(smp_gz),
        .smp_ax(smp_ax),
        .smp_ay(smp_ay),
        .smp_az(smp_az),
        .odr_xl(odr_xl),
        .odr_g(odr_g),
        .fs_xl(fs_xl),
        .fs_g(fs_g)
    );
endmodule
