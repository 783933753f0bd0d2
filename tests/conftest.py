"""Settings shared by every test module."""

from hypothesis import settings

# Property tests draw the same examples on every run, so a verdict never depends on the draw:
# searching for new failing gaits is the job of `rig explore`, not of the test suite.
settings.register_profile("stridelab", derandomize=True, database=None, print_blob=True)
settings.load_profile("stridelab")
