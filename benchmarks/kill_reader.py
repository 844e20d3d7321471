"""The kill harness, long form (issue "Nothing lost"): SIGKILL the real reader many times.

Starts ``reader STORY`` in an 80x24 pseudo-terminal, turns pages and adds bookmarks at
random, kills it with SIGKILL at a random moment, checks the state file (it parses; every
bookmark confirmed on screen is in it; its position is not older than the page shown 1.2 s
before the kill), starts it again on the same state and checks it comes back to the saved
page — and so on. See ``kill_harness.py`` for the checks in detail.

Prints a table of the figures and exits non-zero on any failure.

Usage: python benchmarks/kill_reader.py [--kills 200] [--seed N] [--keep DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kill_harness  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None, help="the random plan (default: a new one)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (created) and keep it afterwards")
    parser.add_argument("--verbose", action="store_true", help="a line after every kill")
    args = parser.parse_args()
    work = None
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        if args.verbose or message.startswith("FAIL"):
            print(message, flush=True)

    report = kill_harness.run(args.kills, seed=args.seed, work=work, log=log)
    print()
    print(report.table())
    if report.failures:
        print()
        print(f"{len(report.failures)} failure(s):")
        for failure in report.failures:
            print(f"  {failure}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
