"""civilinstruct: instruction data for physically consistent OpenSeesPy structural-modeling code."""

import os
from importlib.metadata import PackageNotFoundError, version

# Arrow's allocator, chosen here because pyarrow fixes it when first imported: the C allocator. Arrow's default
# (mimalloc) keeps the pages its decoding threads free, so a build that streams thousands of small Parquet batches
# grew with the data it read (the demo's exports kept +83 MB at 1x and +114 MB at 3x; with malloc +19 MB at both).
# A pool chosen in the environment wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

try:
    __version__ = version("civilinstruct")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
