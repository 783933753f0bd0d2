"""The scenario catalog: every named scenario as a small readable definition.

list_scenarios() lists them, get_scenario(name) returns one definition, synthesize(name)
turns it into a Recording with truth. Names are stable: tests and CI refer to them.
"""

from __future__ import annotations

from .cache import cached
from .definition import ScenarioDef, ScenarioInfo, Segment
from .errors import UnknownScenarioError
from .input_file import excerpt
from .model import Recording
from .sensor import SensorModel
from .synth import synthesize_def

REAL = SensorModel.realistic()

_NOISY = REAL.with_(
    accel_noise_g=0.012, gyro_noise_dps=0.8, accel_bias_g=0.06, gyro_bias_dps=4.0,
    accel_bias_drift_g_per_rts=3e-4, gyro_bias_drift_dps_per_rts=0.05, scale_pct=2.0,
    misalignment_deg=1.5, jitter_frac=0.2,
)

_CATALOG: tuple[ScenarioDef, ...] = (
    # --- the basic one ---
    ScenarioDef(
        name="steady_run",
        description="60 s steady road run at 3.0 m/s, heel striker, realistic sensor",
        tags=("run", "heel", "basic"),
        speed_mps=3.0,
        strike="heel",
        duration_s=60.0,
        seed=1,
    ),
    # --- paces ---
    ScenarioDef(
        name="easy_run",
        description="45 s easy run at 2.6 m/s, heel striker",
        tags=("run", "heel"),
        speed_mps=2.6,
        duration_s=45.0,
        seed=2,
    ),
    ScenarioDef(
        name="tempo_run",
        description="45 s tempo run at 4.2 m/s, midfoot striker",
        tags=("run", "mid"),
        speed_mps=4.2,
        strike="mid",
        duration_s=45.0,
        seed=3,
    ),
    ScenarioDef(
        name="sprint",
        description="20 s sprint at 7.0 m/s on the forefoot",
        tags=("run", "fore", "sprint"),
        speed_mps=7.0,
        strike="fore",
        duration_s=20.0,
        seed=4,
    ),
    ScenarioDef(
        name="intervals",
        description="3 x (15 s at 5.0 m/s + 15 s jog at 2.5 m/s), heel striker",
        tags=("run", "heel", "intervals"),
        segments=(
            Segment("run", 15.0, speed_mps=5.0, strike="heel"),
            Segment("run", 15.0, speed_mps=2.5, strike="heel"),
        )
        * 3,
        seed=5,
    ),
    ScenarioDef(
        name="progression_run",
        description="60 s run speeding up steadily from 2.5 to 5.0 m/s",
        tags=("run", "heel", "speed_change"),
        segments=(Segment("run", 60.0, speed_mps=2.5, end_speed_mps=5.0, strike="heel"),),
        seed=6,
    ),
    # --- strike classes ---
    ScenarioDef(
        name="heel_striker",
        description="30 s at 3.2 m/s landing on the heel with a steep 22 deg strike angle",
        tags=("run", "heel", "strike"),
        speed_mps=3.2,
        strike="heel",
        fsa_deg=22.0,
        duration_s=30.0,
        seed=7,
    ),
    ScenarioDef(
        name="midfoot_striker",
        description="30 s at 3.2 m/s landing flat on the midfoot (no impact peak)",
        tags=("run", "mid", "strike"),
        speed_mps=3.2,
        strike="mid",
        duration_s=30.0,
        seed=8,
    ),
    ScenarioDef(
        name="forefoot_striker",
        description="30 s at 3.5 m/s landing on the forefoot, heel drops after contact",
        tags=("run", "fore", "strike"),
        speed_mps=3.5,
        strike="fore",
        duration_s=30.0,
        seed=9,
    ),
    ScenarioDef(
        name="overpronator",
        description="30 s at 3.0 m/s, heel striker with 16 deg eversion in stance",
        tags=("run", "heel", "pronation"),
        speed_mps=3.0,
        pronation_deg=16.0,
        duration_s=30.0,
        seed=10,
    ),
    ScenarioDef(
        name="left_foot_run",
        description="30 s at 3.0 m/s with the sensor in the left shoe (mirrored roll and toe-out)",
        tags=("run", "heel", "left"),
        speed_mps=3.0,
        foot="left",
        duration_s=30.0,
        seed=11,
    ),
    # --- walking ---
    ScenarioDef(
        name="walk",
        description="40 s walk at 1.3 m/s (about 109 steps/min), heel strike",
        tags=("walk", "heel"),
        activity="walk",
        speed_mps=1.3,
        duration_s=40.0,
        seed=12,
    ),
    ScenarioDef(
        name="slow_walk",
        description="30 s slow walk at 0.9 m/s with long quiet stance",
        tags=("walk", "heel"),
        activity="walk",
        speed_mps=0.9,
        duration_s=30.0,
        seed=13,
    ),
    ScenarioDef(
        name="brisk_walk",
        description="30 s brisk walk at 1.9 m/s, near the walk-run transition",
        tags=("walk", "heel"),
        activity="walk",
        speed_mps=1.9,
        duration_s=30.0,
        seed=14,
    ),
    ScenarioDef(
        name="walk_run_transition",
        description="walk 1.4 m/s 15 s, run 2.8 m/s 20 s, walk 1.4 m/s 15 s without stopping",
        tags=("walk", "run", "transition"),
        segments=(
            Segment("walk", 15.0, speed_mps=1.4),
            Segment("run", 20.0, speed_mps=2.8, strike="heel"),
            Segment("walk", 15.0, speed_mps=1.4),
        ),
        seed=15,
    ),
    ScenarioDef(
        name="stop_and_go",
        description="run 15 s, stand 8 s, run 15 s, walk 10 s: starts and stops from standing",
        tags=("run", "walk", "still", "transition"),
        segments=(
            Segment("run", 15.0, speed_mps=3.2, strike="heel"),
            Segment("still", 8.0),
            Segment("run", 15.0, speed_mps=3.2, strike="heel"),
            Segment("walk", 10.0, speed_mps=1.3),
        ),
        seed=16,
    ),
    # --- no strides at all ---
    ScenarioDef(
        name="standing",
        description="30 s standing perfectly still: zero strides",
        tags=("still",),
        segments=(Segment("still", 30.0),),
        seed=17,
    ),
    ScenarioDef(
        name="fidgeting",
        description="40 s restless standing: toe taps, heel raises, weight shifts, slides; zero strides",
        tags=("still", "fidget"),
        segments=(Segment("fidget", 40.0),),
        seed=18,
    ),
    # --- stairs ---
    ScenarioDef(
        name="stairs_up",
        description="20 s up a staircase (17 cm rise, 28 cm going, two steps per stride)",
        tags=("stairs",),
        segments=(Segment("stairs_up", 20.0),),
        seed=19,
    ),
    ScenarioDef(
        name="stairs_down",
        description="20 s down a staircase, forefoot landings",
        tags=("stairs",),
        segments=(Segment("stairs_down", 20.0),),
        seed=20,
    ),
    # --- surface ---
    ScenarioDef(
        name="road_run",
        description="40 s road run at 3.0 m/s: gentle curves, normal stride variability",
        tags=("run", "heel", "road"),
        speed_mps=3.0,
        duration_s=40.0,
        surface="road",
        seed=21,
    ),
    ScenarioDef(
        name="treadmill_run",
        description="40 s treadmill run at 3.0 m/s: straight, steadier strides, 3 % higher cadence",
        tags=("run", "heel", "treadmill"),
        speed_mps=3.0,
        cadence_spm=164.0,
        duration_s=40.0,
        surface="treadmill",
        seed=21,
    ),
    # --- long ---
    ScenarioDef(
        name="fatigue_run",
        description="10 min run slowing from 3.3 to 2.9 m/s while contact time grows 10 %",
        tags=("run", "heel", "long", "fatigue"),
        segments=(
            Segment("run", 600.0, speed_mps=3.3, end_speed_mps=2.9, strike="heel", fatigue_gct_pct=10.0),
        ),
        seed=22,
    ),
    ScenarioDef(
        name="run_30min",
        description="30 min steady run at 3.2 m/s, heel striker",
        tags=("run", "heel", "long"),
        speed_mps=3.2,
        duration_s=1800.0,
        seed=23,
    ),
    # --- sensor trouble ---
    ScenarioDef(
        name="noisy_sensor",
        description="steady 3.0 m/s run through a poor sensor: 10x noise, large offsets and drift",
        tags=("run", "heel", "sensor"),
        speed_mps=3.0,
        duration_s=40.0,
        sensor=_NOISY,
        seed=24,
    ),
    ScenarioDef(
        name="sprint_gyro_saturation",
        description="15 s sprint at 9.0 m/s: swing pitch rate beyond 2000 dps clips the gyro",
        tags=("run", "fore", "sprint", "sensor", "clipping"),
        speed_mps=9.0,
        strike="fore",
        duration_s=15.0,
        seed=25,
    ),
    ScenarioDef(
        name="dropouts",
        description="steady 3.0 m/s run with FIFO overruns: bursts of 4-12 samples lost",
        tags=("run", "heel", "sensor", "dropouts"),
        speed_mps=3.0,
        duration_s=40.0,
        sensor=REAL.with_(drop_rate=0.003, drop_burst=8),
        seed=26,
    ),
    ScenarioDef(
        name="clock_fast",
        description="steady 3.0 m/s run; the sensor's ODR runs 1.5 % fast",
        tags=("run", "heel", "sensor", "clock"),
        speed_mps=3.0,
        duration_s=40.0,
        sensor=REAL.with_(clock_error_pct=1.5),
        seed=27,
    ),
    ScenarioDef(
        name="clock_slow",
        description="steady 3.0 m/s run; the sensor's ODR runs 0.8 % slow",
        tags=("run", "heel", "sensor", "clock"),
        speed_mps=3.0,
        duration_s=40.0,
        sensor=REAL.with_(clock_error_pct=-0.8),
        seed=28,
    ),
    ScenarioDef(
        name="rotated_mount",
        description="steady 3.0 m/s run with the sensor set in the sole rotated (3, -6, 10 deg)",
        tags=("run", "heel", "sensor", "mounting"),
        speed_mps=3.0,
        duration_s=40.0,
        sensor=REAL.with_(mount_rpy_deg=(3.0, -6.0, 10.0)),
        seed=29,
    ),
)

_BY_NAME = {d.name: d for d in _CATALOG}


def list_scenarios() -> list[ScenarioInfo]:
    """Every scenario of the catalog: name, one-line description, tags, expected duration."""
    return [d.info() for d in _CATALOG]


def get_scenario(name: str) -> ScenarioDef:
    """The definition of a scenario; UnknownScenarioError lists the names that exist (quoting the name
    asked for by its start: a name of 100,000 characters was quoted whole)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownScenarioError(
            f"unknown scenario {excerpt(name)}; available: {', '.join(sorted(_BY_NAME))}"
        ) from None


def synthesize(name: str, seed: int | None = None, odr_hz: float = 416.0) -> Recording:
    """Synthesize a catalog scenario; seed None uses the scenario's own (reproducible) seed.

    The recording comes from the cache of synthesized recordings when it holds it (scenarios.cache:
    the same samples and truth, bit for bit)."""
    defn = get_scenario(name)
    return cached(name, seed, odr_hz, lambda: synthesize_def(defn, seed=seed, odr_hz=odr_hz))
