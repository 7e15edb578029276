"""The demo workspace: fictitious RSA observatory data and the dashboard built on it.

Nothing here touches the database: `studio demo` ingests the files this package writes and
saves the dashboard it builds.
"""

from __future__ import annotations

from studio.demo.dashboard import TITLE, build_demo_dashboard
from studio.demo.data import DEMO_DATASETS, DEMO_SEED, SOURCE, DemoDataset, generate_demo_frames
from studio.demo.files import BOUNDARIES_NAME, DemoError, read_boundaries, write_demo_files

__all__ = [
    "BOUNDARIES_NAME",
    "DEMO_DATASETS",
    "DEMO_SEED",
    "SOURCE",
    "TITLE",
    "DemoDataset",
    "DemoError",
    "build_demo_dashboard",
    "generate_demo_frames",
    "read_boundaries",
    "write_demo_files",
]
