"""A first-release reading state (``state.yaml``, version 1) of a heavy reader, for
benchmarks/state_scale.py: same seed, count and end date, same bytes.

Every story has a title, author, path, position {chapter, offset, snippet}, progress,
``last_read`` (aware ISO stamps to the millisecond), reading time and three bookmarks; some
have a status (``status_changed``, and ``finished`` when finished) and deleted-bookmark
tombstones. Three years of daily history (1,095 days ending on ``end``) are spread across the
stories in the ``days: {'YYYY-MM-DD': [seconds, words]}`` log of each: every day one to three
stories are read, the reader working through the stories in a seeded order.

Nine stories in ten are known by their path (the first release's ids: the path under the
library folder). With a generated library (benchmarks/library_gen.py) story ``i`` is that
library's story ``i`` — id, path, title and author as the library has them; without one the
paths do not exist. One in ten is an AO3 download known by its URL whose file is gone (its
path never exists, and lies outside any library; its title is its own, so it is not taken
for the library's story of that number).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

SEED = 20261208
HISTORY_DAYS = 3 * 365
BOOKMARKS = 3
URL_SHARE = 0.1
GONE = Path("/nonexistent/reader-state-scale")  # never created: paths that do not exist
SYLLABLES = (
    "an be cor dil em fa gor hin is jo ka lum mer no or pel qua ri sol tu ul ven wy xa yor zel".split()
)
STATUSES = [("finished", 0.2), ("on-hold", 0.05), ("dropped", 0.03), ("plan-to-read", 0.05)]
ZONES = [timezone(timedelta(hours=h)) for h in (0, 1, 2)]  # summer and winter time, a trip


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3))))


def _stamp(rng: random.Random, day: date) -> str:
    """An aware ISO stamp to the millisecond on ``day``, in the evening mostly."""
    moment = datetime.combine(day, time(rng.choice((7, 12, 18, 20, 21, 22, 23)), rng.randrange(60)))
    moment += timedelta(seconds=rng.randrange(60), milliseconds=rng.randrange(1000))
    return moment.replace(tzinfo=rng.choice(ZONES)).isoformat(timespec="milliseconds")


def _position(rng: random.Random, chapters: int) -> dict[str, Any]:
    snippet = " ".join(_word(rng) for _ in range(rng.randint(5, 8))).capitalize()
    return {"chapter": rng.randrange(chapters), "offset": rng.randrange(60_000), "snippet": snippet}


def _stories(count: int, library: Path | None) -> list[dict[str, str]]:
    """(id, path, title, author) of every story, as the library (if any) has them."""
    if library is not None:
        from library_gen import plan  # benchmarks/ is on sys.path (state_scale.py puts it there)

        found = []
        for item in plan(count):
            rel = f"{item['folder']}/story-{item['index']:05d}.{item['kind']}"
            found.append(
                {
                    "id": rel,
                    "path": str(library / rel),
                    "title": str(item["title"]),
                    "author": str(item["author"]),
                }
            )
        return found
    rng = random.Random(SEED + 1)
    found = []
    for index in range(count):
        rel = f"fandom-{index % 40}/story-{index:05d}.txt"
        title = " ".join(_word(rng).capitalize() for _ in range(rng.randint(1, 4))) + f" {index}"
        found.append({"id": rel, "path": str(GONE / "library" / rel), "title": title, "author": _word(rng)})
    return found


def make_v1(
    count: int, library: Path | None = None, end: date | None = None, seed: int = SEED
) -> dict[str, Any]:
    """The state file's data: ``{"version": 1, "stories": {id: entry}}``."""
    rng = random.Random(seed)
    end = end or date.today()
    first = end - timedelta(days=HISTORY_DAYS - 1)
    known = _stories(count, library)
    # Three years of days: each day 1-3 stories of the reader's seeded order, a little of each.
    order = list(range(count))
    rng.shuffle(order)
    days: dict[int, dict[str, list[float | int]]] = {}
    at = 0
    for n in range(HISTORY_DAYS):
        day = (first + timedelta(days=n)).isoformat()
        for index in order[at : at + rng.randint(1, 3)]:
            seconds = round(rng.uniform(300, 7200), 1)
            days.setdefault(index, {})[day] = [seconds, int(seconds / 60 * rng.uniform(180, 320))]
        at = (at + rng.choice((0, 1, 1, 2))) % count
    stories: dict[str, dict[str, Any]] = {}
    urls: set[int] = set()
    for index, story in enumerate(known):
        chapters = rng.randint(1, 40)
        log = days.get(index, {})
        last_day = (
            date.fromisoformat(max(log)) if log else first + timedelta(days=rng.randrange(HISTORY_DAYS))
        )
        entry: dict[str, Any] = {"title": story["title"], "author": story["author"]}
        story_id, path = story["id"], story["path"]
        if rng.random() < URL_SHARE:  # an AO3 download, known by its URL, its file since gone
            work = rng.randrange(1_000_000, 60_000_000)
            while work in urls:
                work += 1
            urls.add(work)
            story_id = f"https://archiveofourown.org/works/{work}"
            entry["title"] = " ".join(_word(rng).capitalize() for _ in range(rng.randint(1, 4))) + f" {work}"
            path = str(GONE / "Downloads" / f"{entry['title'].replace(' ', '_')}.epub")
        entry["path"] = path
        entry["chapters"] = chapters
        entry["position"] = _position(rng, chapters)
        entry["progress"] = round(rng.random(), 4)
        entry["last_read"] = _stamp(rng, last_day)
        entry["reading_time"] = round(sum(s for s, _ in log.values()) + rng.uniform(0, 3600), 1)
        roll, floor = rng.random(), 0.0
        for status, share in STATUSES:
            if floor <= roll < floor + share:
                changed = _stamp(rng, last_day)
                entry["status"] = status
                entry["status_changed"] = changed
                if status == "finished":
                    entry["finished"] = changed
            floor += share
        marks = []
        for _ in range(BOOKMARKS):
            where = _position(rng, chapters)
            created = _stamp(rng, last_day - timedelta(days=rng.randrange(60)))
            marks.append(
                {
                    "name": f"Chapter {where['chapter'] + 1} · {rng.randrange(100)}%",
                    "position": where,
                    "created": created,
                }
            )
        entry["bookmarks"] = marks
        if rng.random() < 0.05:  # a few deleted bookmarks: tombstones "<created> @ chapter:offset"
            entry["deleted_bookmarks"] = [
                f"{_stamp(rng, last_day - timedelta(days=rng.randrange(90)))} @ "
                f"{rng.randrange(chapters)}:{rng.randrange(60_000)}"
                for _ in range(rng.randint(1, 2))
            ]
        if log:
            entry["days"] = dict(sorted(log.items()))
        stories[story_id] = entry
    return {"version": 1, "stories": stories}


def write_v1(path: Path, data: dict[str, Any]) -> int:
    """Write ``data`` as the first release wrote its state (libyaml's safe dumper); the bytes."""
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def history(data: dict[str, Any]) -> tuple[int, int, int]:
    """(days with reading, day entries in all, stories with any) of a generated state."""
    logs = [entry.get("days") or {} for entry in data["stories"].values()]
    return len({day for log in logs for day in log}), sum(map(len, logs)), sum(1 for log in logs if log)
