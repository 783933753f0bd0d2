"""Waveform morphology: how the foot lands, pushes off and swings, and where the sensor sits.

The gait laws (scenarios.gait) give one shape per activity, speed and strike class. Real runners
and walkers differ in ways that matter to a detector far more than speed does, so every shape
the laws fix can be overridden here. A field left at None keeps the law's value, and
`Morphology()` reproduces the model's own waveforms bit for bit.

Signs: pitch is the sole angle with + = toes up, so a pitch rate of +300 deg/s is a toes-up
rotation that the gyroscope reads as gy = -300 dps.

Events stay exact whatever the shape (see scenarios.synth for the truth definitions):
- IC is the first instant the sole touches the ground: the heel for a heel strike, the ball of
  the foot for a fore strike, both for a mid strike. It is the instant the pitch curve reaches
  the strike angle; the landmarks around it (the end of the toes-up swing, a toes-down hump,
  the impact spike) are placed relative to it by the fields below, never the other way round.
- TC is the last instant of that contact, when the toes leave the ground at the end of the
  push-off rotation.

Fields (None = the law's value):

Before contact
- precontact_lead_s: the toes-up swing rotation stops this long before IC (heel strikes 2-8 ms,
  mid 40 ms, fore 60 ms). 0 makes the toes-up rotation run right into contact.
- precontact_hump_deg: toes-down rotation between the end of the toes-up swing and IC (the
  "hump": heel strikes start their slap before contact; mid 6 deg, fore 10 deg). Needs a
  positive lead; 0 removes the hump. A foot turns toes down in the air at a mean rate of at most
  HUMP_RATE_MAX_DPS over the lead (the laws' humps: 50-170 dps): a hump given without a lead
  takes at least hump / HUMP_RATE_MAX_DPS of lead (a 10 deg hump inside a heel strike's 4 ms
  would peak near 5,000 dps, beyond any foot and any gyro range), and a hump given with a lead
  too short for it is refused. A lead given alone keeps the law's hump only as far as the foot
  can turn it within that lead (at most HUMP_RATE_MAX_DPS on average and HUMP_ACC_MAX_DPS2):
  a fore strike's 10 deg hump in a 1 ms lead would be a 10,000 dps pitch step.
- contact_rate_dps: pitch rate at IC, + = toes up (heel strikes slap toes-down at -(60+20 v)
  running, -40 walking; mid and fore 0). With no lead, a positive rate is a toes-up rotation
  running through contact into the heel drop.
- Physical consistency: a foot in the air turns one way between the end of the swing and IC. A
  toes-up rate at IC (contact_rate_dps > 0: the ball lands first on stairs or in forefoot
  running, the heel then drops) means the swing's toes-up rotation is still running when the sole
  touches, so there is no top before contact and no toes-down hump: with a positive contact rate
  the law's lead and hump become 0. Giving a positive contact rate together with a lead > 0 or a
  hump > 0 is refused (ScenarioParameterError naming them): the toes-up rotation would have to
  stop at the top, turn toes down (the hump), then turn toes up again in the air, a reversal
  no foot makes. Give the contact rate alone (or lead and hump 0), or a lead/hump with a contact
  rate <= 0 (a heel strike's slap starting before contact). A foot landing flat or on its heel
  while still turning toes up fast sweeps its ball up relative to the heel, so the ball came
  from below the heel: such a landing comes down faster than the law's landing speed, as fast
  as it takes for no sole point to be below the ground before IC (scenarios.kinematics).
After contact
- landing_dps: peak rate of the rotation from the strike angle to foot flat (the heel drop of a
  fore strike, the slap of a heel strike); sets the time from IC to foot flat.
Push-off
- pushoff_frac: heel-off to TC as a fraction of contact (running 0.60, walking 0.34).
- tc_deg: sole pitch at TC (negative: toes down; running -(52+2v) down to -58, walking -64).
- pushoff_peak_lead_s: the push-off rate peaks this long before TC (running 6 ms, walking 8 ms).
- tc_rate_frac: the rate at TC as a fraction of that peak (0.88): lower means the push-off
  rotation slows before the toes leave.
Swing
- swing_rate_scale: multiplies the swing's toes-up peak rate (200 + 220 v dps running); a low
  scale widens the bell into a plateau, a high one clips at the gyroscope's full scale
  (SensorModel.gyro_fs_dps with clip on).
- swing_peak_frac: where in the swing the toes-up rate peaks (running 0.82, walking 0.50).
- heel_kick_deg: toes-down turn after TC (push-off fading plus heel kick; running 28 + v deg
  below 3 m/s, 22 + 3 v above; walking 4 deg).
Impact
- impact_g: amplitude of the impact transient (heel strikes running 4 + 4.5 v g, walking 9 g;
  none for mid and fore), impact_delay_s: its start after IC (8 ms running, 12 ms walking),
  impact_width_s: its length (12 ms).
Sensor position
- site: where the sensor sits on the shoe: "midsole" (the model's reference point, under the
  arch 2.5 cm above the sole), "heel" (in the heel, 7 cm behind), "laces" (on top of the foot,
  4 cm ahead and 6 cm above), "lateral" (on the outer side of the shoe, as on the gaitmap walks).
- lever_arm_m: the sensor's offset from the midsole point in the shoe frame (x toes, y left,
  z up), overriding the site. The sensor then feels the tangential and centripetal acceleration
  of that lever arm on top of the midsole point's motion; its gyroscope reads the same rates.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .errors import ScenarioParameterError

SITE_LEVER_ARM_M: dict[str, tuple[float, float, float]] = {
    "midsole": (0.0, 0.0, 0.0),
    "heel": (-0.07, 0.0, 0.0),
    "laces": (0.04, 0.0, 0.06),
    "lateral": (-0.02, -0.045, 0.02),  # y for a right shoe; mirrored for the left
}
"""Sensor offset from the midsole reference point per site, m, shoe frame (right shoe)."""

SITES = tuple(SITE_LEVER_ARM_M)

#: Fastest mean toes-down rate of the hump over the pre-contact lead, dps (peak about twice it).
HUMP_RATE_MAX_DPS = 300.0

#: Fastest angular acceleration of a foot turning toes down in the air, deg/s^2. The laws' own
#: slap onsets (a heel strike reaching 40-220 dps within its 1-8 ms lead: 8,000-40,000 deg/s^2
#: on average, about twice that at the peak) stay below it. A law's hump kept over a lead given
#: shorter than the law's is cut to what the foot can turn within it (scenarios.kinematics).
HUMP_ACC_MAX_DPS2 = 1.0e5

# (field, lowest, highest, what the range means)
_RANGES: tuple[tuple[str, float, float], ...] = (
    ("precontact_lead_s", 0.0, 0.15),
    ("precontact_hump_deg", 0.0, 30.0),
    ("contact_rate_dps", -800.0, 800.0),
    ("landing_dps", 40.0, 2000.0),
    ("pushoff_frac", 0.2, 0.8),
    ("tc_deg", -80.0, -20.0),
    ("pushoff_peak_lead_s", 0.002, 0.04),
    ("tc_rate_frac", 0.2, 1.0),
    ("swing_rate_scale", 0.3, 3.0),
    ("swing_peak_frac", 0.3, 0.9),
    ("heel_kick_deg", 0.0, 80.0),
    ("impact_g", 0.0, 60.0),
    ("impact_delay_s", 0.0, 0.04),
    ("impact_width_s", 0.004, 0.04),
)


@dataclass(frozen=True)
class Morphology:
    """Overrides of the waveform shape and the sensor position; None keeps the gait law."""

    precontact_lead_s: float | None = None
    precontact_hump_deg: float | None = None
    contact_rate_dps: float | None = None
    landing_dps: float | None = None
    pushoff_frac: float | None = None
    tc_deg: float | None = None
    pushoff_peak_lead_s: float | None = None
    tc_rate_frac: float | None = None
    swing_rate_scale: float | None = None
    swing_peak_frac: float | None = None
    heel_kick_deg: float | None = None
    impact_g: float | None = None
    impact_delay_s: float | None = None
    impact_width_s: float | None = None
    site: str = "midsole"
    lever_arm_m: tuple[float, float, float] | None = None

    def __post_init__(self) -> None:
        for name, lo, hi in _RANGES:
            v = getattr(self, name)
            if v is None:
                continue
            if not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
                raise ScenarioParameterError(f"morphology {name}={v!r}: must be within {lo}..{hi}")
        if self.site not in SITE_LEVER_ARM_M:
            raise ScenarioParameterError(f"morphology site={self.site!r}: must be one of {SITES}")
        if self.lever_arm_m is not None:
            arm = tuple(self.lever_arm_m)
            if len(arm) != 3 or not all(isinstance(x, (int, float)) and abs(x) <= 0.2 for x in arm):
                raise ScenarioParameterError(
                    f"morphology lever_arm_m={self.lever_arm_m!r}: give three numbers (x, y, z) within +-0.2 m"
                )
        if self.precontact_lead_s == 0.0 and self.precontact_hump_deg:
            raise ScenarioParameterError(
                f"morphology precontact_hump_deg={self.precontact_hump_deg}: a toes-down hump needs "
                "time before contact; give precontact_lead_s > 0 or set the hump to 0"
            )
        if self.contact_rate_dps is not None and self.contact_rate_dps > 0.0:
            given = [f"{n}={getattr(self, n)}" for n in ("precontact_lead_s", "precontact_hump_deg")
                     if (getattr(self, n) or 0.0) > 0.0]
            if given:
                raise ScenarioParameterError(
                    f"morphology contact_rate_dps={self.contact_rate_dps} with {' '.join(given)}: a toes-up "
                    "rate at contact means the swing's toes-up rotation runs into contact, so the foot "
                    "would have to stop at a top, turn toes down and turn toes up again in the air; give "
                    "the contact rate alone (no lead, no hump) or a contact rate <= 0 with the lead/hump"
                )
        lead, hump = self.precontact_lead_s, self.precontact_hump_deg
        if lead and hump and hump / lead > HUMP_RATE_MAX_DPS:
            raise ScenarioParameterError(
                f"morphology precontact_hump_deg={hump} with precontact_lead_s={lead}: the foot would turn "
                f"toes down at {hump / lead:.0f} dps on average in the air (at most {HUMP_RATE_MAX_DPS:.0f}); "
                f"give a lead of at least {hump / HUMP_RATE_MAX_DPS:.3f} s, a smaller hump, or the hump alone"
            )

    @property
    def is_default(self) -> bool:
        """True when nothing is overridden (the model's own waveform)."""
        return self == Morphology()

    def lever_arm(self, foot_sign: float) -> tuple[float, float, float]:
        """Sensor offset from the midsole point, m, shoe frame, for a foot (+1 right, -1 left)."""
        if self.lever_arm_m is not None:
            return (float(self.lever_arm_m[0]), float(self.lever_arm_m[1]), float(self.lever_arm_m[2]))
        x, y, z = SITE_LEVER_ARM_M[self.site]
        return (x, y * foot_sign, z)

    def with_(self, **changes: Any) -> "Morphology":
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The overridden fields only (JSON-ready); {} for the default."""
        d = asdict(self)
        out = {f.name: d[f.name] for f in fields(self) if d[f.name] != f.default}
        if "lever_arm_m" in out:
            out["lever_arm_m"] = list(out["lever_arm_m"])
        return out
