"""A deterministic library of generated stories for benchmarks/library_scale.py.

Same seed and count, same bytes: the prose is made of invented words (syllables drawn by a
seeded generator), so nothing is copied from anywhere. About half the stories are plain
text with a FanFicFare-like header, three in ten AO3-like HTML, two in ten EPUB 2 files
built with zipfile (the shape of scripts/build_sample_epub.py). Text sizes run from 2 KB to
4 MB, most of them small (a long tail, as in a real fan-fiction folder): 5,000 stories are
about 1 GB of text. They are spread over a few fandom folders.
"""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

SEED = 20261207
MIN_BYTES, MAX_BYTES = 2 * 1024, 4 * 1024 * 1024
#: The size of story i is MIN · (MAX/MIN)^(u^SKEW), u uniform: SKEW 3 gives a mean near 200 KB.
SKEW = 3.0
SYLLABLES = (
    "an be cor dil em fa gor hin is jo ka lum mer no or pel qua ri sol tu ul ven wy xa yor zel".split()
)
COMMON = ["the", "a", "and", "of", "to", "in", "was", "she", "he", "it", "her", "his", "that", "with"]
RATINGS = ["General Audiences", "Teen And Up Audiences", "Mature", "Explicit", "Not Rated"]
STATUSES = ["Complete", "In-Progress"]
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


class Prose:
    """A pool of paragraphs, and sequences of them of a given size."""

    def __init__(self, rng: random.Random) -> None:
        vocabulary = [
            "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3)))) for _ in range(4000)
        ]
        vocabulary += COMMON * 150
        self.words = vocabulary
        self.paragraphs = []
        for _ in range(3000):
            words = [rng.choice(vocabulary) for _ in range(rng.randint(15, 140))]
            words[0] = words[0].capitalize()
            self.paragraphs.append(" ".join(words) + ".")

    def name(self, rng: random.Random, parts: int = 2) -> str:
        return " ".join(rng.choice(self.words[:4000]).capitalize() for _ in range(parts))

    def body(self, rng: random.Random, size: int) -> list[list[str]]:
        """Chapters of paragraphs, about ``size`` bytes in all (chapters of ~12-60 KB)."""
        chapters: list[list[str]] = [[]]
        chapter_size, total = rng.randint(12_000, 60_000), 0
        current = 0
        while total < size:
            paragraph = rng.choice(self.paragraphs)
            chapters[-1].append(paragraph)
            total += len(paragraph) + 2
            current += len(paragraph) + 2
            if current >= chapter_size and total < size:
                chapters.append([])
                current = 0
        return chapters


def plan(count: int, seed: int = SEED) -> list[dict[str, object]]:
    """What each story is: kind, folder, size, metadata; deterministic."""
    rng = random.Random(seed)
    prose = Prose(random.Random(seed + 1))
    fandoms = [
        prose.name(rng) + suffix for suffix in (" (TV)", " (Video Game)", " - All Media Types", "")
    ] * 3
    stories = []
    for index in range(count):
        u = rng.random()
        size = int(MIN_BYTES * (MAX_BYTES / MIN_BYTES) ** (u**SKEW))
        if index == 0:
            size = MAX_BYTES  # the largest and the smallest are always there
        elif index == 1:
            size = MIN_BYTES
        kind = rng.choices(("txt", "html", "epub"), weights=(5, 3, 2))[0]
        fandom = rng.choice(fandoms)
        stories.append(
            {
                "index": index,
                "kind": kind,
                "size": size,
                "title": f"{prose.name(rng, rng.randint(1, 4))} {index}",
                "author": prose.name(rng, 1).lower() + f"_{rng.randint(1, 999)}",
                "fandom": fandom,
                "rating": rng.choice(RATINGS),
                "status": rng.choice(STATUSES),
                "tags": [prose.name(rng, rng.randint(1, 2)) for _ in range(rng.randint(1, 6))],
                "folder": fandom.split(" (")[0].split(" - ")[0].replace(" ", "_"),
                "seed": rng.randrange(2**32),
            }
        )
    return stories


def generate(root: Path, count: int, seed: int = SEED) -> dict[str, int]:
    """Write the library under ``root`` unless a matching one is there; return its figures."""
    marker = root / ".library-scale.json"
    wanted = {"count": count, "seed": seed, "version": 1}
    if marker.exists():
        try:
            made = json.loads(marker.read_text())
            if {k: made.get(k) for k in wanted} == wanted:
                return made
        except (OSError, ValueError):
            pass
    prose = Prose(random.Random(seed + 1))
    totals = {"txt": 0, "html": 0, "epub": 0}
    text_bytes = file_bytes = 0
    for story in plan(count, seed):
        rng = random.Random(story["seed"])  # type: ignore[arg-type]
        chapters = prose.body(rng, int(story["size"]))  # type: ignore[call-overload]
        folder = root / str(story["folder"])
        folder.mkdir(parents=True, exist_ok=True)
        name = f"story-{story['index']:05d}.{story['kind']}"
        path = folder / name
        writer = {"txt": write_txt, "html": write_html, "epub": write_epub}[str(story["kind"])]
        text_bytes += writer(path, story, chapters)
        file_bytes += path.stat().st_size
        totals[str(story["kind"])] += 1
    made = {**wanted, **totals, "text_bytes": text_bytes, "file_bytes": file_bytes}
    marker.write_text(json.dumps(made))
    return made


def write_txt(path: Path, story: dict[str, object], chapters: list[list[str]]) -> int:
    head = [
        f"Title: {story['title']}",
        f"Author: {story['author']}",
        f"Fandom: {story['fandom']}",
        f"Rating: {story['rating']}",
        f"Status: {story['status']}",
        f"Tags: {', '.join(story['tags'])}",  # type: ignore[arg-type]
        "Summary: A generated story for the library benchmark.",
        "",
    ]
    parts = ["\n".join(head)]
    for number, paragraphs in enumerate(chapters, 1):
        parts.append(f"\nChapter {number}\n\n" + "\n\n".join(paragraphs) + "\n")
    data = "\n".join(parts).encode("utf-8")
    path.write_bytes(data)
    return len(data)


def write_html(path: Path, story: dict[str, object], chapters: list[list[str]]) -> int:
    tags = ", ".join(f'<a href="#">{escape(tag)}</a>' for tag in story["tags"])  # type: ignore[attr-defined]
    out = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="UTF-8">\n',
        f"<title>{escape(str(story['title']))} - {escape(str(story['author']))}</title>\n</head>\n<body>\n",
        '<div id="preface">\n<div class="meta">\n<dl class="tags">\n',
        f"<dt>Rating:</dt>\n<dd>{escape(str(story['rating']))}</dd>\n",
        f"<dt>Fandom:</dt>\n<dd>{escape(str(story['fandom']))}</dd>\n",
        f"<dt>Additional Tags:</dt>\n<dd>{tags}</dd>\n</dl>\n",
        f"<h1>{escape(str(story['title']))}</h1>\n",
        f'<div class="byline">by <a rel="author" href="#">{escape(str(story["author"]))}</a></div>\n',
        "</div>\n</div>\n",
        '<div id="chapters" class="userstuff">\n',
    ]
    for number, paragraphs in enumerate(chapters, 1):
        out.append(f'<div class="meta group">\n<h2 class="heading">Chapter {number}</h2>\n</div>\n')
        out.append('<div class="userstuff">\n' + "".join(f"<p>{p}</p>\n" for p in paragraphs) + "</div>\n")
    out.append("</div>\n</body>\n</html>\n")
    data = "".join(out).encode("utf-8")
    path.write_bytes(data)
    return len(data)


def write_epub(path: Path, story: dict[str, object], chapters: list[list[str]]) -> int:
    title, author = escape(str(story["title"])), escape(str(story["author"]))
    uid = f"urn:uuid:library-scale-{story['index']}"
    files = [
        ("mimetype", "application/epub+zip"),
        (
            "META-INF/container.xml",
            '<?xml version="1.0" encoding="utf-8"?>\n<container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>\n",
        ),
    ]
    pages = []
    for number, paragraphs in enumerate(chapters, 1):
        body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
        pages.append(
            (
                f"OEBPS/file{number:04d}.xhtml",
                '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
                f"<head><title>Chapter {number}</title></head><body>"
                f"<h2>Chapter {number}</h2>\n{body}</body></html>\n",
            )
        )
    subjects = "".join(f"<dc:subject>{escape(tag)}</dc:subject>" for tag in story["tags"])  # type: ignore[attr-defined]
    manifest = '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>' + "".join(
        f'<item id="file{n:04d}" href="{href}" media-type="application/xhtml+xml"/>'
        for n, (href, _) in enumerate(pages, 1)
    )
    spine = "".join(f'<itemref idref="file{n:04d}"/>' for n in range(1, len(pages) + 1))
    opf = (
        '<?xml version="1.0" encoding="utf-8"?>\n<package version="2.0" '
        'xmlns="http://www.idpf.org/2007/opf" unique-identifier="uid">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">'
        f'<dc:identifier id="uid">{uid}</dc:identifier><dc:title>{title}</dc:title>'
        f'<dc:creator opf:role="aut">{author}</dc:creator><dc:language>en</dc:language>'
        f"<dc:description>A generated story for the library benchmark.</dc:description>{subjects}"
        f'</metadata><manifest>{manifest}</manifest><spine toc="ncx">{spine}</spine></package>\n'
    )
    points = "".join(
        f'<navPoint id="p{n}" playOrder="{n}"><navLabel><text>Chapter {n}</text></navLabel>'
        f'<content src="{href}"/></navPoint>'
        for n, (href, _) in enumerate(pages, 1)
    )
    ncx = (
        '<?xml version="1.0" encoding="utf-8"?>\n<ncx version="2005-1" '
        f'xmlns="http://www.daisy.org/z3986/2005/ncx/"><head><meta name="dtb:uid" content="{uid}"/></head>'
        f"<docTitle><text>{title}</text></docTitle><navMap>{points}</navMap></ncx>\n"
    )
    files += [("content.opf", opf), ("toc.ncx", ncx), *pages]
    text = 0
    with zipfile.ZipFile(path, "w") as book:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            data = content.encode("utf-8")
            text += len(data)
            book.writestr(info, data, compresslevel=1)
    return text
