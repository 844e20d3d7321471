"""reader: a terminal e-reader for big libraries of long stories."""

from __future__ import annotations

__version__ = "0.1.0"
