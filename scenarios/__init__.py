"""Stridelab scenario library: synthetic shoe-IMU recordings with exact ground truth, the
scenario catalog, the recording CSV format and the real labelled recordings."""

from .catalog import get_scenario, list_scenarios, synthesize
from .definition import ScenarioDef, ScenarioInfo, Segment
from .errors import RecordingError, ScenarioParameterError, UnknownScenarioError
from .model import Recording, StrideTruth, Truth
from .morphology import Morphology
from .recording_csv import read_recording, write_recording
from .sensor import SensorModel
from .synth import synthesize_def

__all__ = [
    "Morphology",
    "Recording",
    "RecordingError",
    "ScenarioDef",
    "ScenarioInfo",
    "ScenarioParameterError",
    "Segment",
    "SensorModel",
    "StrideTruth",
    "Truth",
    "UnknownScenarioError",
    "get_scenario",
    "list_scenarios",
    "read_recording",
    "synthesize",
    "synthesize_def",
    "write_recording",
]
