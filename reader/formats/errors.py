"""The one error a format reader raises: a bad file, with a reason fit to show a reader."""

from __future__ import annotations


class StoryError(Exception):
    """A story file that cannot be read, with a one-line reason fit to show a reader."""
