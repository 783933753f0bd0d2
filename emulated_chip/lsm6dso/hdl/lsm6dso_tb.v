`timescale 1ns / 1ps
// lsm6dso_tb.v - the LSM6DSO model on a board as the X-NUCLEO-IKS01A3 wires it: SA0 high
// (I2C address 6Bh), an open-drain I2C bus with pull-ups, and a 4-wire SPI alternative.
//
// A bus master in the testbench never drives the lines directly: it releases (1) or pulls
// low (0) scl_m / sda_m, and reads the resolved lines scl / sda, as on a wired-AND bus.
// For SPI it drives cs_n, scl (as SPC) and sda_m (as SDI) push-pull and reads sdo.
// A second I2C master, the bus-functional model i2c_master_bfm (one command per byte or per
// register transaction), shares the bus (bfm_* ports); whichever master is unused leaves its
// lines released. The sample port is driven by the smp_* inputs, or, once player_en is 1, by
// sample_player, which strobes a recording in from a file without waking the test.
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
    output wire               bfm_conflict,
    input  wire [6:0]         bfm_xaddr,
    input  wire [7:0]         bfm_xreg,
    input  wire [7:0]         bfm_xlen,
    input  wire [8*128-1:0]   bfm_xwdata,
    output wire [8*128-1:0]   bfm_xrdata,
    output wire [2:0]         bfm_xnack,
    output wire [7:0]         bfm_xnack_at,
    input  wire               player_en,
    input  wire               player_abort,
    output wire               player_started,
    output wire               player_done,
    output wire               player_error,
    output wire [31:0]        player_played
);
    wire chip_sda_oe, chip_sdo, chip_sdo_oe, bfm_scl, bfm_sda;
    wire pl_strobe;
    wire signed [15:0] pl_gx, pl_gy, pl_gz, pl_ax, pl_ay, pl_az;
    // an input nobody drives is x or z: only a 1 selects the player
    wire use_player = (player_en === 1'b1);

    // Pull-ups: a line is high unless someone pulls it low.
    assign scl = scl_m & bfm_scl;
    assign sda = sda_m & bfm_sda & ~chip_sda_oe;
    assign sdo = chip_sdo_oe ? chip_sdo : 1'b1;

    i2c_master_bfm u_bfm (
        .op(bfm_op),
        .go(bfm_go),
        .wdata(bfm_wdata),
        .ack(bfm_ack),
        .xaddr(bfm_xaddr),
        .xreg(bfm_xreg),
        .xlen(bfm_xlen),
        .xwdata(bfm_xwdata),
        .xrdata(bfm_xrdata),
        .xnack(bfm_xnack),
        .xnack_at(bfm_xnack_at),
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
        .smp_strobe(use_player ? pl_strobe : smp_strobe),
        .smp_gx(use_player ? pl_gx : smp_gx),
        .smp_gy(use_player ? pl_gy : smp_gy),
        .smp_gz(use_player ? pl_gz : smp_gz),
        .smp_ax(use_player ? pl_ax : smp_ax),
        .smp_ay(use_player ? pl_ay : smp_ay),
        .smp_az(use_player ? pl_az : smp_az),
        .odr_xl(odr_xl),
        .odr_g(odr_g),
        .fs_xl(fs_xl),
        .fs_g(fs_g)
    );

    sample_player u_player (
        .enable(use_player),
        .abort(player_abort),
        .odr_xl(odr_xl),
        .odr_g(odr_g),
        .strobe(pl_strobe),
        .gx(pl_gx),
        .gy(pl_gy),
        .gz(pl_gz),
        .ax(pl_ax),
        .ay(pl_ay),
        .az(pl_az),
        .started(player_started),
        .done(player_done),
        .error(player_error),
        .played(player_played)
    );
endmodule
