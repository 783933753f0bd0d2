`timescale 1ns / 1ps
// sample_player.v - testbench-only sample feed: strobes a recording into the model's sample
// port at its slot times, in simulated time, without waking the test for each sample.
//
// Once enabled, it waits for the firmware to give the part an output rate (odr_xl or odr_g
// not power-down): that instant is the sensor's start, t0. It then reads the file named by
// the plusarg +stridelab_samples=PATH, written by the test:
//     COUNT DURATION_NS
//     DUE_NS AX AY AZ GX GY GZ        (COUNT lines; DUE_NS from t0, non-decreasing)
// and presents each sample at t0 + DUE_NS with a strobe of STROBE_NS high then STROBE_NS
// low (as the Python sample source does). At t0 + DURATION_NS, or when abort rises, done
// goes high. started goes high at t0; played counts the samples strobed in; error is set
// when the file is missing or malformed (then done rises at once).
module sample_player #(
    parameter integer STROBE_NS = 10
) (
    input  wire               enable,
    input  wire               abort,
    input  wire [3:0]         odr_xl,
    input  wire [3:0]         odr_g,
    output reg                strobe,
    output reg signed [15:0]  gx,
    output reg signed [15:0]  gy,
    output reg signed [15:0]  gz,
    output reg signed [15:0]  ax,
    output reg signed [15:0]  ay,
    output reg signed [15:0]  az,
    output reg                started,
    output reg                done,
    output reg                error,
    output reg [31:0]         played
);
    reg [8*1024-1:0] path;
    integer fd, got, n, count;
    reg [63:0] t0, due, duration, now;
    integer v_ax, v_ay, v_az, v_gx, v_gy, v_gz;

    initial begin
        strobe = 1'b0;
        {gx, gy, gz, ax, ay, az} = {6{16'sd0}};
        started = 1'b0;
        done = 1'b0;
        error = 1'b0;
        played = 32'd0;
        wait (enable === 1'b1);
        if (!$value$plusargs("stridelab_samples=%s", path)) begin
            $display("sample_player: no +stridelab_samples=PATH plusarg");
            error = 1'b1;
        end
        if (!error) wait (odr_xl != 4'd0 || odr_g != 4'd0);
        t0 = $time;
        started = 1'b1;
        fd = error ? 0 : $fopen(path, "r");
        if (!error && fd == 0) begin
            $display("sample_player: cannot open %0s", path);
            error = 1'b1;
        end
        count = 0;
        duration = 64'd0;
        if (!error) begin
            got = $fscanf(fd, "%d %d\n", count, duration);
            if (got != 2) begin
                $display("sample_player: %0s does not start with COUNT DURATION_NS", path);
                error = 1'b1;
            end
        end
        for (n = 0; !error && n < count && abort !== 1'b1; n = n + 1) begin
            got = $fscanf(fd, "%d %d %d %d %d %d %d\n", due, v_ax, v_ay, v_az, v_gx, v_gy, v_gz);
            if (got != 7) begin
                $display("sample_player: sample %0d of %0s is malformed", n, path);
                error = 1'b1;
            end else begin
                now = $time;
                if (t0 + due > now) #(t0 + due - now);
                ax = v_ax;
                ay = v_ay;
                az = v_az;
                gx = v_gx;
                gy = v_gy;
                gz = v_gz;
                strobe = 1'b1;
                #(STROBE_NS) strobe = 1'b0;
                #(STROBE_NS) played = played + 32'd1;
            end
        end
        if (fd != 0) $fclose(fd);
        now = $time;
        if (!error && abort !== 1'b1 && t0 + duration > now) #(t0 + duration - now);
        done = 1'b1;
    end
endmodule
