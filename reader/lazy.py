"""Regular expressions compiled when first used, not when their module is imported.

Compiling a pattern costs from tens of microseconds to a millisecond (a class of Unicode
ranges, a verbose alternation). A module's patterns are mostly for work the first page does
not need (a sync tool's conflict copies, a state file's name), yet each import compiled them
all, on every start.
"""

from __future__ import annotations

import re
from typing import Any, cast

#: What a compiled pattern is used for here: copied onto the stand-in once it is compiled,
#: so that later calls are an attribute lookup, with no indirection.
_API = ("match", "fullmatch", "search", "sub", "subn", "split", "finditer", "findall")


class _Pattern:
    def __init__(self, source: str, flags: int) -> None:
        self._source, self._flags = source, flags

    def __getattr__(self, name: str) -> Any:  # only for what the instance lacks: the first use
        compiled = re.compile(self._source, self._flags)
        for attr in _API:
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)


def pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, done at the first match, search, sub … not now."""
    return cast("re.Pattern[str]", _Pattern(source, flags))
