"""civilinstruct: instruction data for physically consistent OpenSeesPy structural-modeling code."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("civilinstruct")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
