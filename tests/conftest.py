"""Shared fixtures. Tests run in a fixed time zone so 'local time' means the same everywhere."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import settings

# Property-based tests run the same examples on every machine and every run (a fixed seed), a
# bounded number of them, with no timing deadline on this shared, noisy machine.
settings.register_profile("etiquette-lab", derandomize=True, deadline=None, database=None)
settings.load_profile("etiquette-lab")

os.environ["TZ"] = "Europe/Oslo"
time.tzset()
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def log_path(tmp_path):
    """A path for a new log in a temporary folder (never inside the repository)."""
    return tmp_path / "asks.csv"


@pytest.fixture(autouse=True)
def _pseudonym_key_outside_home(tmp_path, monkeypatch):
    # A test must never create a key file in the developer's real ~/.config.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("ETIQUETTE_LAB_KEY", raising=False)
