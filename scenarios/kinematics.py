"""Foot pose over time (attitude and position of the sensor) and the IMU signals it implies.

Pose: R(t) = Rz(yaw) Ry(-pitch) Rx(roll) maps shoe-frame vectors to the navigation frame
(x forward at the start, y left, z up); pitch is the sole angle with + = toes up, so the
shoe-frame pitch rate gy = -d(pitch)/dt (+gy = toes down). In contact the foot pivots on the
heel (pitch > 0) or on the ball of the foot (pitch < 0) about fixed ground points; in swing
the sensor follows C2 quintic curves joined to the contact motion in position, velocity and
acceleration. The gyroscope reads the body angular rate of R(t); the accelerometer reads the
specific force R^T (a_nav - g_nav) with g_nav = (0, 0, -g), both taken from the same pose by
central differences 0.1 ms apart, so integrating them gives the trajectory back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .morphology import HUMP_ACC_MAX_DPS2, HUMP_RATE_MAX_DPS
from .plan import Contact, GaitPlan
from .smooth import KnotList, Knots
from .swing import swing_pitch

G_MPS2 = 9.80665
HEEL_M = np.array([-0.09, 0.0, -0.025])  # heel contact point from the sensor, shoe frame
BALL_M = np.array([0.10, 0.0, -0.025])  # ball of the foot (metatarsal heads) from the sensor
FD_STEP_S = 1e-4
SHOCK_LEN_S = 0.012  # heel-strike transient width
_BEFORE_S = -10.0


@dataclass(frozen=True)
class FootMotion:
    """The whole foot motion as knot curves plus the contact list (times and footprints)."""

    plan: GaitPlan
    pitch_deg: Knots
    eversion_deg: Knots
    yaw_deg: Knots
    slide_x_m: Knots
    slide_y_m: Knots
    swing: tuple[Knots, Knots, Knots]
    borders_s: np.ndarray  # TC0, IC1, TC1, IC2, ...: even index -> stance, odd -> swing


def _top_of(nxt: Contact) -> tuple[float, float]:
    """(lead before IC, pitch at the end of the toes-up rotation) for the landing contact."""
    if nxt.top_lead_s is not None or nxt.top_hump_deg is not None:
        return _top_morphed(nxt)
    if nxt.strike == "heel" and nxt.activity in ("walk", "run"):
        # rate ramps from 0 at the top to ic_rate_dps at IC: the angle turned is rate * lead / 2
        return nxt.slap_lead_s, nxt.fsa_deg + nxt.ic_rate_dps * nxt.slap_lead_s / 2.0
    if nxt.activity == "stairs":
        return 0.06, nxt.fsa_deg + 8.0
    lead = {"heel": 0.004, "mid": 0.04, "fore": 0.06}[nxt.strike or "heel"]
    extra = {"heel": 0.0, "mid": 6.0, "fore": 10.0}[nxt.strike or "heel"]
    return lead, nxt.fsa_deg + extra


def _top_morphed(nxt: Contact) -> tuple[float, float]:
    """_top_of with the morphology's lead and hump: without a hump given, a heel strike keeps
    the angle its toes-down rate turns over the lead, other strikes their law's hump."""
    law_lead, law_top = (
        (nxt.slap_lead_s, 0.0) if nxt.strike == "heel" and nxt.activity in ("walk", "run") else _top_of(
            Contact(ic_s=nxt.ic_s, flat_s=nxt.flat_s, activity=nxt.activity, strike=nxt.strike, fsa_deg=nxt.fsa_deg)
        )
    )
    lead = law_lead if nxt.top_lead_s is None else nxt.top_lead_s
    if nxt.top_hump_deg is not None:
        hump = nxt.top_hump_deg
        if nxt.top_lead_s is None:
            lead = max(lead, hump / HUMP_RATE_MAX_DPS)  # time for the hump at a rate a foot can turn
    elif nxt.strike == "heel" and nxt.activity in ("walk", "run"):
        hump = max(nxt.ic_rate_dps, 0.0) * lead / 2.0
    else:
        # the law's hump over a lead given shorter than the law's: the foot has only that long to
        # turn toes down in the air, at a mean rate of at most HUMP_RATE_MAX_DPS and an angular
        # acceleration of at most HUMP_ACC_MAX_DPS2 (the hump's S-curve peaks at 10/sqrt(3)
        # hump / lead^2). A fore strike's 10 deg inside 1 ms would be a 10,000 dps pitch step,
        # and its acceleration, joined to the swing's path, threw the foot metres below ground.
        hump = min(law_top - nxt.fsa_deg, HUMP_RATE_MAX_DPS * lead, HUMP_ACC_MAX_DPS2 * lead**2 * 3**0.5 / 10.0)
    return lead, nxt.fsa_deg + (hump if lead > 0.0 else 0.0)


def _pitch_knots(plan: GaitPlan) -> KnotList:
    k = KnotList()
    k.add(_BEFORE_S, 0.0)
    cs = plan.contacts
    for i, c in enumerate(cs):
        g = c.ground_deg  # the sole's angles are to the ground; the pitch curve is to level
        if c.ic_s is not None:
            k.add(c.ic_s, c.fsa_deg + g, -c.ic_rate_dps)
            k.add(c.flat_s, g)
        for f in c.fidgets:
            if f.pitch_deg:
                k.add(f.start_s, g)
                k.add(f.start_s + f.duration_s / 2, f.pitch_deg + g)
                k.add(f.start_s + f.duration_s, g)
        if c.tc_s is None or c.shape is None:
            k.add(plan.duration_s - _BEFORE_S, g)
            break
        sh = c.shape
        tc, nxt = c.tc_s, cs[i + 1]
        assert nxt.ic_s is not None
        # push-off about the ball of the foot, rate peaking just before TC
        pushoff_s = tc - c.heeloff_s
        d_law = 0.008 if c.swing_activity == "walk" else 0.006
        d_pk = min(d_law if sh.pushoff_peak_lead_s is None else sh.pushoff_peak_lead_s, pushoff_s / 4)
        # the rate is 0 at heel-off, rises to r_pk at TC - d_pk and ends at tc_frac r_pk at TC
        tc_frac = 0.88 if sh.tc_rate_frac is None else sh.tc_rate_frac
        r_pk = 2.0 * abs(sh.tc_deg) / (pushoff_s - d_pk + (1.0 + tc_frac) * d_pk)
        r_tc = tc_frac * r_pk
        # swing: the push-off rate fades (with the heel kick when running), then one toes-up
        # bell ends the rotation at the landing pitch
        lead_s, top_deg = _top_of(nxt)
        t_top = nxt.ic_s - lead_s
        # no lead: the toes-up swing runs into contact at the contact's own rate
        end_rate = -nxt.ic_rate_dps if lead_s <= 0.0 else 0.0
        prof, rows = swing_pitch(
            tc, sh.tc_deg + g, r_tc, t_top, top_deg + nxt.ground_deg, sh.tc_deg - sh.min_deg, c.swing_peak_dps,
            nxt.ic_s - tc, sh.swing, end_rate,
        )
        acc_tc = float(prof.rate(np.array([tc + 1e-9]))[1][0])
        pk_deg = sh.tc_deg + (1.0 + tc_frac) / 2.0 * r_pk * d_pk + acc_tc * d_pk**2 / 12.0
        k.add(c.heeloff_s, g)
        k.add(tc - d_pk, pk_deg + g, -r_pk)
        k.add(tc, sh.tc_deg + g, -r_tc, acc_tc)
        for t_s, deg, rate, acc in rows:
            k.add(t_s, deg, rate, acc)
    return k


LANDING_SPIN_ARREST_S = 0.04
"""A foot that lands spinning about its vertical is stopped by the ground within tens of ms (real
turning steps: 100-650 dps arrested in 20-60 ms)."""


def _roll_yaw_slide_knots(plan: GaitPlan) -> tuple[KnotList, KnotList, KnotList, KnotList]:
    ev, yaw, sx, sy = KnotList(), KnotList(), KnotList(), KnotList()
    for kl in (ev, sx, sy):
        kl.add(_BEFORE_S, 0.0)
    cs = plan.contacts
    yaw.add(_BEFORE_S, cs[0].yaw_deg)
    for i, c in enumerate(cs):
        p = c.pronation_deg
        if c.ic_s is not None:
            if c.land_spin_dps:
                # still turning at contact; the sole's friction brakes the spin at a steady rate
                # to a stop LANDING_SPIN_ARREST_S later, at the contact's heading
                w, arrest_s = c.land_spin_dps, LANDING_SPIN_ARREST_S
                yaw.add(c.ic_s, c.yaw_deg - w * arrest_s / 2.0, w, -w / arrest_s)
                yaw.add(c.ic_s + arrest_s, c.yaw_deg)
            else:
                yaw.add(c.ic_s, c.yaw_deg)
            # lands slightly inverted, everts during loading, holds (quiet mid-stance), returns
            ev.add(c.ic_s, -0.3 * p)
            if c.tc_s is not None:
                # peak eversion no earlier than 30 % into the contact (eversion rate stays in the
                # few hundred dps seen in running), then a near-hold until heel-off
                t_pk = max(c.flat_s + 0.25 * (c.heeloff_s - c.flat_s), c.ic_s + 0.3 * (c.tc_s - c.ic_s))
                ev.add(t_pk, p)
                if c.heeloff_s > t_pk + 0.01:
                    ev.add(c.heeloff_s, 0.9 * p)
            else:
                ev.add(c.flat_s + 0.05, p)
                ev.add(c.flat_s + 0.1, 0.0)
        for f in c.fidgets:
            if f.roll_deg:
                ev.add(f.start_s, 0.0)
                ev.add(f.start_s + f.duration_s / 2, f.roll_deg)
                ev.add(f.start_s + f.duration_s, 0.0)
            if f.yaw_deg:
                # slid round about the sole's middle: the sensor above it only turns
                third = f.duration_s / 3.0
                yaw.add(f.start_s, c.yaw_deg)
                yaw.add(f.start_s + third, c.yaw_deg + f.yaw_deg)
                yaw.add(f.start_s + 2.0 * third, c.yaw_deg + f.yaw_deg)
                yaw.add(f.start_s + f.duration_s, c.yaw_deg)
            if any(f.slide_m):
                for kl, d in ((sx, f.slide_m[0]), (sy, f.slide_m[1])):
                    kl.add(f.start_s, 0.0)
                    kl.add(f.start_s + f.duration_s / 2, d)
                    kl.add(f.start_s + f.duration_s, 0.0)
        if c.tc_s is not None:
            yaw.add(c.tc_s, c.yaw_deg)
            ev.add(c.tc_s, 0.0)
            # swing: the foot inverts and turns in a little, then lines up for the landing
            nxt = cs[i + 1]
            t_mid = c.tc_s + 0.5 * (float(nxt.ic_s) - c.tc_s)  # type: ignore[arg-type]
            ev.add(t_mid, -0.5 * (p + nxt.pronation_deg) - 3.0)
            yaw.add(t_mid, 0.5 * (c.yaw_deg + nxt.yaw_deg) + 4.0 * plan.foot_sign)
    end = plan.duration_s - _BEFORE_S
    for kl in (ev, sx, sy):
        kl.add(end, 0.0)
    yaw.add(end, cs[-1].yaw_deg)
    return ev, yaw, sx, sy


def _shock_shape(u: np.ndarray) -> np.ndarray:
    """Compact bump sin^4(pi u) on [0, 1]: zero value, rate and acceleration at both ends."""
    inside = (u > 0.0) & (u < 1.0)
    return np.where(inside, np.sin(np.pi * np.clip(u, 0.0, 1.0)) ** 4, 0.0)


def _arrest(u: np.ndarray) -> np.ndarray:
    """Pivot travel after IC, in units of landing speed x arrest time: 0.5 - s(u) remaining."""
    uc = np.clip(u, 0.0, 1.0)
    s = uc - 2.5 * uc**4 + 3.0 * uc**5 - uc**6
    return np.where(u < 0.0, 0.5 - u, 0.5 - s)


class _ContactArrays:
    """Per-contact numbers as arrays for vectorised lookups."""

    def __init__(self, plan: GaitPlan) -> None:
        cs = plan.contacts
        self.foot_m = np.array([c.foot_m for c in cs])
        self.ic_s = np.array([np.nan if c.ic_s is None else c.ic_s for c in cs])
        yaw = np.radians([c.yaw_deg for c in cs])
        v_fwd = np.array([c.landing.v_forward_mps if c.landing else 0.0 for c in cs])
        v_down = np.array([c.landing.v_down_mps if c.landing else 0.0 for c in cs])
        self.v_land = np.stack([v_fwd * np.cos(yaw), v_fwd * np.sin(yaw), -v_down], axis=1)
        self.arrest_s = np.array([c.landing.arrest_s if c.landing else 1.0 for c in cs])
        # shock displacement amplitude so the bump's peak acceleration is impact_g
        self.shock_len_s = np.array([c.landing.impact_width_s if c.landing else SHOCK_LEN_S for c in cs])
        self.shock_m = np.array([c.impact_g for c in cs]) * G_MPS2 * self.shock_len_s**2 / (4 * np.pi**2)
        self.shock_delay_s = np.array([c.landing.impact_delay_s if c.landing else 0.0 for c in cs])
        self.ground_rad = np.radians([c.ground_deg for c in cs])
        self.sloped = bool(self.ground_rad.any())


class FootSampler:
    """Evaluates the pose of a FootMotion and the ideal IMU signals at any times."""

    def __init__(self, motion: FootMotion) -> None:
        self.m = motion
        self.ca = _ContactArrays(motion.plan)
        arm = np.asarray(motion.plan.lever_arm_m, dtype=float)
        self.lever_arm_m = arm if arm.any() else None

    def _attitude(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rotation matrices (N, 3, 3) shoe -> nav, and pitch in rad."""
        m = self.m
        th = np.radians(m.pitch_deg(t))
        roll = np.radians(-m.plan.foot_sign * m.eversion_deg(t))
        psi = np.radians(m.yaw_deg(t))
        cb, sb = np.cos(-th), np.sin(-th)
        cr, sr = np.cos(roll), np.sin(roll)
        cy, sy = np.cos(psi), np.sin(psi)
        r = np.empty(t.shape + (3, 3))
        # Rz(psi) @ Ry(-theta) @ Rx(roll), written out
        r[..., 0, 0] = cy * cb
        r[..., 0, 1] = cy * sb * sr - sy * cr
        r[..., 0, 2] = cy * sb * cr + sy * sr
        r[..., 1, 0] = sy * cb
        r[..., 1, 1] = sy * sb * sr + cy * cr
        r[..., 1, 2] = sy * sb * cr - cy * sr
        r[..., 2, 0] = -sb
        r[..., 2, 1] = cb * sr
        r[..., 2, 2] = cb * cr
        return r, th

    def stance_local(self, t: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Sensor position in contact c relative to its footprint, (N, 3)."""
        m, ca = self.m, self.ca
        th = np.radians(m.pitch_deg(t))
        psi = np.radians(m.yaw_deg(t))
        if ca.sloped:
            th = th - ca.ground_rad[c]  # the foot pivots relative to the sloped ground
        piv = np.where((th > 0.0)[:, None], HEEL_M, BALL_M)
        b = -th
        rx = np.cos(b) * piv[:, 0] + np.sin(b) * piv[:, 2]
        rz = -np.sin(b) * piv[:, 0] + np.cos(b) * piv[:, 2]
        dx, dz = piv[:, 0] - rx, piv[:, 2] - rz
        if ca.sloped:
            # displacement in the ground's frame, tilted toes-up by the slope
            gr = ca.ground_rad[c]
            dx, dz = np.cos(gr) * dx - np.sin(gr) * dz, np.sin(gr) * dx + np.cos(gr) * dz
        out = np.stack([np.cos(psi) * dx, np.sin(psi) * dx, dz], axis=1)
        ic = ca.ic_s[c]
        landed = ~np.isnan(ic)
        u = np.where(landed, (t - np.nan_to_num(ic)) / ca.arrest_s[c], 2.0)
        out -= (ca.v_land[c] * (ca.arrest_s[c] * _arrest(u))[:, None]) * landed[:, None]
        us = np.where(landed, (t - np.nan_to_num(ic) - ca.shock_delay_s[c]) / ca.shock_len_s[c], -1.0)
        out[:, 2] -= ca.shock_m[c] * _shock_shape(us)
        out[:, 0] += m.slide_x_m(t)
        out[:, 1] += m.slide_y_m(t)
        return out

    def phase(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(in_swing, contact index): swing samples belong to the contact they left."""
        j = np.searchsorted(self.m.borders_s, t, side="right")
        return (j % 2) == 1, j // 2

    def local_position(self, t: np.ndarray, t_mid: np.ndarray, swing: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Sensor position relative to footprint c at t; stance or swing formula and swing curve
        segment are those of t_mid (so differences around t_mid use one smooth formula)."""
        out = np.empty((len(t), 3))
        st = ~swing
        if st.any():
            out[st] = self.stance_local(t[st], c[st])
        if swing.any():
            for ax, kn in enumerate(self.m.swing):
                out[swing, ax] = kn(t[swing], kn.segment(t_mid[swing]))
        return out

    def imu(self, t: np.ndarray, chunk: int = 100_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ideal shoe-frame (acc_g, gyro_dps, position_m in nav) at times t."""
        acc = np.empty((len(t), 3))
        gyro = np.empty((len(t), 3))
        pos = np.empty((len(t), 3))
        h = FD_STEP_S
        for a in range(0, len(t), chunk):
            tt = t[a : a + chunk]
            swing, c = self.phase(tt)
            p = [self.local_position(tt + d, tt, swing, c) for d in (-h, 0.0, h)]
            r_m, _ = self._attitude(tt - h)
            r_0, _ = self._attitude(tt)
            r_p, _ = self._attitude(tt + h)
            if self.lever_arm_m is not None:
                # the sensor rides on the foot at a lever arm from the midsole point
                for pk, rk in zip(p, (r_m, r_0, r_p)):
                    pk += rk @ self.lever_arm_m
            rel = np.einsum("nji,njk->nik", r_m, r_p)
            skew = rel - np.swapaxes(rel, 1, 2)
            w = np.stack([skew[:, 2, 1], skew[:, 0, 2], skew[:, 1, 0]], axis=1) / (4.0 * h)
            gyro[a : a + chunk] = np.degrees(w)
            a_nav = (p[2] - 2.0 * p[1] + p[0]) / (h * h)
            a_nav[:, 2] += G_MPS2
            acc[a : a + chunk] = np.einsum("nji,nj->ni", r_0, a_nav) / G_MPS2
            pos[a : a + chunk] = p[1] + self.ca.foot_m[c]
        return acc, gyro, pos


CLEAR_BEFORE_S = 0.2
"""How long before IC the sole is kept off the ground (the end of the swing's descent), s."""
CLEAR_PASSES = 4
"""Passes of build_motion's landing-speed correction (each one nearly closes the gap)."""
CLEAR_TOL_M = 2e-4
"""A sole point this little below its contact level before IC counts as clear, m."""


def _sole_gaps(motion: FootMotion) -> dict[int, tuple[float, float]]:
    """Walks and runs whose heel or ball goes below the ground before IC: contact index ->
    (depth m, time before IC s) of the deepest point. The ground is the level of the sole's
    lowest point at IC (its first touch), across the contact's slope."""
    sampler = FootSampler(motion)
    cs = motion.plan.contacts
    tau = np.arange(CLEAR_BEFORE_S, -1e-9, -0.001)  # ends at IC itself
    land = [i for i, c in enumerate(cs) if i > 0 and c.ic_s is not None and c.activity in ("walk", "run")]
    if not land:
        return {}
    ic = np.array([cs[i].ic_s for i in land])
    t = (ic[:, None] - tau[None, :]).ravel()
    owner = np.repeat(np.asarray(land), len(tau))
    swing, k = sampler.phase(t)
    # the swing that lands on each contact, and the contact itself at IC
    keep = (swing & (k == owner - 1)) | (~swing & (k == owner))
    k = np.where(swing, k, owner)
    pos = sampler.local_position(t, t, swing, k) + sampler.ca.foot_m[k]
    r, _ = sampler._attitude(t)
    g = np.radians([cs[i].ground_deg for i in land])
    yaw = np.radians([cs[i].yaw_deg for i in land])
    n = np.repeat(np.stack([-np.sin(g) * np.cos(yaw), -np.sin(g) * np.sin(yaw), np.cos(g)], axis=1), len(tau), axis=0)
    heel = np.einsum("nij,j->ni", r, HEEL_M) + pos
    ball = np.einsum("nij,j->ni", r, BALL_M) + pos
    low = np.minimum((heel * n).sum(axis=1), (ball * n).sum(axis=1)).reshape(len(land), len(tau))
    keep = keep.reshape(len(land), len(tau))
    out: dict[int, tuple[float, float]] = {}
    for row, i in enumerate(land):
        if not keep[row, -1]:
            continue
        gap = np.where(keep[row, :-1], low[row, :-1] - low[row, -1], np.inf)
        j = int(np.argmin(gap))
        if gap[j] < -CLEAR_TOL_M:
            out[i] = (float(-gap[j]), float(tau[j]))
    return out


def build_motion(plan: GaitPlan) -> FootMotion:
    """Turn a gait plan into knot curves for attitude and swing position.

    A foot that lands turning toes up sweeps its ball upward relative to the heel (at the ball's
    distance times the rate); coming from toes down, the ball was below the heel just before.
    With the heel descending at the law's landing speed, a strong toes-up rate into a flat or
    heel landing took the ball through the ground tens of ms before IC, a first contact the
    truth never had. Such a landing comes down faster: its vertical landing speed is raised by
    what the ball would otherwise have gone below the ground over the time before IC it did,
    until no sole point is lower before IC than at its first touch.
    """
    motion = _build_motion_once(plan)
    for _ in range(CLEAR_PASSES):
        gaps = _sole_gaps(motion)
        if not gaps:
            break
        contacts = list(plan.contacts)
        for i, (depth, before_s) in gaps.items():
            c = contacts[i]
            assert c.landing is not None
            land = replace(c.landing, v_down_mps=c.landing.v_down_mps + depth / before_s)
            contacts[i] = replace(c, landing=land)
        plan = replace(plan, contacts=contacts)
        motion = _build_motion_once(plan)
    return motion


def _build_motion_once(plan: GaitPlan) -> FootMotion:
    """Knot curves for attitude and swing position from the plan as it is."""
    pitch = _pitch_knots(plan).arrays()
    ev, yaw, sx, sy = (k.arrays() for k in _roll_yaw_slide_knots(plan))
    cs = plan.contacts
    borders: list[float] = []
    for i, c in enumerate(cs):
        if c.tc_s is None:
            break
        borders += [c.tc_s, cs[i + 1].ic_s]  # type: ignore[list-item]
    empty = Knots(np.array([0.0, 1.0]), np.zeros(2), np.zeros(2), np.zeros(2))
    partial = FootMotion(plan, pitch, ev, yaw, sx, sy, (empty, empty, empty), np.asarray(borders))
    sampler = FootSampler(partial)
    xs, ys, zs = KnotList(), KnotList(), KnotList()
    h = FD_STEP_S
    for i, c in enumerate(cs):
        if c.tc_s is None:
            break
        nxt = cs[i + 1]
        tc, ic = c.tc_s, float(nxt.ic_s)  # type: ignore[arg-type]
        swing_s = ic - tc

        def state(t0: float, ci: int, origin: np.ndarray = c.foot_m) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            tt = np.array([t0 - h, t0, t0 + h])
            p = sampler.stance_local(tt, np.full(3, ci)) + (cs[ci].foot_m - origin)
            return p[1], (p[2] - p[0]) / (2 * h), (p[2] - 2 * p[1] + p[0]) / (h * h)

        p0, v0, a0 = state(tc, i)
        p1, v1, a1 = state(ic, i + 1)
        for ax, kl in ((0, xs), (1, ys)):
            kl.add(tc, p0[ax], v0[ax], a0[ax])
            kl.add(ic, p1[ax], v1[ax], a1[ax])
        apex_frac = {"stairs_down": 0.3, "stairs_up": 0.55}.get(c.swing_activity or "", 0.4)
        zs.add(tc, p0[2], v0[2], a0[2])
        # curvature at the apex close to a parabola through the apex
        apex_ddz = -8.0 * c.apex_m / swing_s**2
        zs.add(tc + apex_frac * swing_s, max(p0[2], p1[2]) + c.apex_m, 0.0, apex_ddz)
        zs.add(ic, p1[2], v1[2], a1[2])
    swing = tuple(
        kl.arrays() if len(kl.t_s) >= 2 else empty for kl in (xs, ys, zs)
    )
    return FootMotion(plan, pitch, ev, yaw, sx, sy, swing, np.asarray(borders))  # type: ignore[arg-type]

