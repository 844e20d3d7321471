"""What a story file read from disk is worth, before memory takes it: written by a newer
reader, not a regular file, damaged (set aside in ``damaged/``; its last good copy restored),
or holding less than the last good copy this machine kept of it (:func:`merge.losses`: a
copy set aside, the two merged). Touches no memory; the user is told through ``notices``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.state.disk import StoryFile, read_story, set_aside
from reader.state.merge import losses, merge_story


@dataclass
class Verdict:
    """What :func:`check` found a story file to be."""

    take: bool = False  # the file's record is good: take it
    left_alone: bool = False  # not the reader's to touch: seen (told once, until it changes)
    restore: dict[str, Any] | None = None  # a last good copy (merged with the file's) to take too
    write_now: bool = False  # ... written at once, so the file holds it even if no save follows
    notices: list[str] = field(default_factory=list)


def unusable_content(problem: str | None) -> bool:
    """Whether a file that was not read is damaged content (set aside), not an odd file."""
    return bool(problem) and ("UTF-8" in str(problem) or "larger than" in str(problem))


def check(found: StoryFile, previous_path: Path, damaged: Path, read: StoryFile | None = None) -> Verdict:
    """Check ``found`` against its last good copy at ``previous_path`` (``read`` already, if
    given); a damaged file is moved into (one holding less copied into) the folder ``damaged``."""
    name = found.path.name
    if found.newer is not None:
        newer = f"{name} was written by a newer reader (version {found.newer}); it is left as it is."
        return Verdict(left_alone=True, notices=[newer])
    previous = (read or read_story(previous_path)).record
    if found.record is None:
        if found.text is None and not unusable_content(found.problem):
            if found.problem:  # not a regular file, or unreadable: not ours to move
                return Verdict(left_alone=True, notices=[f"{name} {found.problem}; it is left as it is."])
            return Verdict()
        verdict = Verdict(restore=previous)
        where = _set_aside(verdict, found.path, damaged, copy_only=False, why=str(found.problem))
        if previous is not None and where is not None:
            title = previous.get("title") or previous["id"]
            verdict.notices.append(f"“{title}” was restored from its last good copy.")
            verdict.write_now = True
        return verdict
    if previous is not None and previous.get("id") != found.record["id"]:
        previous = None  # the file held another story before: nothing to compare
    lost = losses(previous, found.record) if previous else []
    verdict = Verdict(take=True)
    if lost and previous is not None:
        why = f"held less than its last good copy ({', '.join(lost)})"
        _set_aside(verdict, found.path, damaged, copy_only=True, why=why)
        verdict.restore, verdict.write_now = merge_story(found.record, previous), True
    return verdict


def _set_aside(verdict: Verdict, path: Path, damaged: Path, *, copy_only: bool, why: str) -> Path | None:
    try:
        aside = set_aside(path, damaged, copy=copy_only)
    except OSError as error:
        verdict.notices.append(f"{path.name} {why}, and could not be set aside ({error.strerror or error}).")
        return None
    verdict.notices.append(f"{path.name} {why}; it is kept as {aside}.")
    return aside
