"""Two machines keeping the reading state in step with Syncthing, for real, on one computer.

    python scripts/syncthing_pair.py            # the checks below, about 10-15 s

Two Syncthing instances (Debian's ``syncthing``) run on loopback, each with its own home,
ports, keys and device id, sharing one folder: the reader's state folder. Discovery, relays,
NAT traversal, usage reporting, crash reporting and upgrades are off. Each machine has the
same library at another path (``~/Stories`` on A, ``/data/fic`` on B, both under a temporary
folder) and a reader of its own: a process with that machine's state, cache and data folders,
using the reader's ``State`` as the app does (save, and every few seconds take in what
changed in the folder, merging sync tools' conflict copies). It shows that

1. a place and a bookmark made on A appear on B: in a reader running on B, and in one
   started on B later, after B's Syncthing was off while A read on;
2. the same story read on A and on B between syncs (sync paused): Syncthing keeps one
   version and a conflict copy of the other; the readers merge it, so the later place wins,
   both bookmarks are kept, and nothing either machine recorded is lost;
3. a bookmark deleted on A stays deleted on B, even after B writes the story again;
4. with Syncthing's conflict copies turned off (``maxConflicts`` 0), Syncthing overwrites one
   machine's change with the other's: the reader that made it still holds it and writes it
   back, so nothing is lost either; and with the readers closed at the time, the next reader
   on that machine finds the file holds less than the last good copy it kept, and merges it.

``tests/devices/test_syncthing.py`` runs the same checks in CI.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FOLDER_ID = "reader-state"
STORY = "what-the-static-keeps.txt"  # from the sample library

#: Options set in each instance's config.xml: loopback only, nothing leaves the machine.
OPTIONS = {
    "globalAnnounceEnabled": "false",
    "localAnnounceEnabled": "false",
    "relaysEnabled": "false",
    "natEnabled": "false",
    "urAccepted": "-1",
    "autoUpgradeIntervalH": "0",
    "crashReportingEnabled": "false",
    "startBrowser": "false",
    "announceLANAddresses": "false",
    "reconnectionIntervalS": "1",
    "setLowPriority": "false",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait(condition: Callable[[], Any], what: str, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise TimeoutError(f"waited {seconds:.0f} s: {what}")


class Syncthing:
    """One machine's Syncthing: home, ports, device id; its REST API for scans and pauses."""

    _NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def __init__(self, name: str, home: Path, folder: Path, program: str = "syncthing") -> None:
        self.name, self.home, self.folder, self.program = name, home, folder, program
        self.listen, self.gui = free_port(), free_port()
        self.key = f"reader-test-{name}-{os.getpid()}"
        self.process: subprocess.Popen[bytes] | None = None
        home.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [program, "generate", f"--home={home}", "--no-default-folder", "--skip-port-probing"],
            check=True,
            capture_output=True,
            env=self._env(),
        )
        self.config = ET.parse(home / "config.xml")
        device = self.config.getroot().find("device")
        assert device is not None
        self.id = device.get("id", "")

    def _env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.home), "STNODEFAULTFOLDER": "1", "STNOUPGRADE": "1"}

    def pair(self, other: Syncthing) -> None:
        """Write config.xml: the other device at its loopback port, the shared folder, quiet options."""
        root = self.config.getroot()
        for old in root.findall("device") + root.findall("folder"):
            root.remove(old)
        for device in (self, other):
            element = ET.SubElement(root, "device", id=device.id, name=device.name, compression="metadata")
            address = "dynamic" if device is self else f"tcp://127.0.0.1:{device.listen}"
            ET.SubElement(element, "address").text = address
        # the folder as the GUI would add it (from <defaults>: conflict copies kept, maxConflicts
        # 10; a bare <folder> would get 0, and Syncthing would overwrite instead of copying)
        folder = copy.deepcopy(root.find("defaults/folder"))
        assert folder is not None
        folder.set("id", FOLDER_ID)
        folder.set("label", "reader state")
        folder.set("path", str(self.folder))
        folder.set("fsWatcherEnabled", "false")  # the checks ask for scans: quicker and certain
        for old in folder.findall("device"):
            folder.remove(old)
        for device in (self, other):
            ET.SubElement(folder, "device", id=device.id)
        folder.find("minDiskFree").text = "0"  # type: ignore[union-attr]
        root.insert(0, folder)
        gui = root.find("gui")
        assert gui is not None
        gui.find("address").text = f"127.0.0.1:{self.gui}"  # type: ignore[union-attr]
        gui.find("apikey").text = self.key  # type: ignore[union-attr]
        options = root.find("options")
        assert options is not None
        options.find("listenAddress").text = f"tcp://127.0.0.1:{self.listen}"  # type: ignore[union-attr]
        for key, value in OPTIONS.items():
            option = options.find(key)
            (ET.SubElement(options, key) if option is None else option).text = value
        options.find("minHomeDiskFree").text = "0"  # type: ignore[union-attr]
        self.config.write(self.home / "config.xml")
        (self.folder / ".stfolder").mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        log = open(self.home / "syncthing.log", "ab")  # noqa: SIM115 - the process keeps it
        self.process = subprocess.Popen(
            [self.program, "serve", f"--home={self.home}", "--no-browser", "--no-restart", "--no-upgrade"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self._env(),
        )
        log.close()
        wait(lambda: self._get("/rest/system/ping", quiet=True), f"{self.name}'s Syncthing to start")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.gui}{path}", data=data, method=method)
        request.add_header("X-API-Key", self.key)
        with self._NO_PROXY.open(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text.strip() else {}

    def _get(self, path: str, quiet: bool = False) -> Any:
        try:
            return self._request("GET", path)
        except OSError:
            if quiet:
                return None
            raise

    def connected(self, other: Syncthing) -> bool:
        connections = self._get("/rest/system/connections", quiet=True) or {}
        return bool(connections.get("connections", {}).get(other.id, {}).get("connected"))

    def scan(self) -> None:
        """Look at the folder now (what the file watcher would do within seconds)."""
        self._request("POST", f"/rest/db/scan?folder={FOLDER_ID}")

    def configure(self, **folder: Any) -> None:
        """Change the shared folder's settings (``maxConflicts=0`` …) through the REST API."""
        self._request("PATCH", f"/rest/config/folders/{FOLDER_ID}", folder)

    def pause(self, paused: bool = True) -> None:
        """Pause or resume the shared folder: nothing is synced while paused, as between two
        machines offline; on resuming, Syncthing scans the folder, then compares with the other.
        (Pausing the device instead works too, but Syncthing may take 20 s to dial again.)"""
        self.configure(paused=paused)


class Reader:
    """A reader on one machine: its own state, cache and data folders and its library path,
    in a process of its own; it does what the app does with the state (see ``device``)."""

    def __init__(self, machine: Path, state: Path, library: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.pop("READER_STATE", None)
        for name in ("CONFIG", "CACHE", "DATA", "STATE"):
            env[f"XDG_{name}_HOME"] = str(machine / f".{name.lower()}")
        env["READER_CONFIG"] = str(machine / "config.yaml")
        self.process = subprocess.Popen(
            [sys.executable, __file__, "device", str(state), str(library)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.notices: list[str] = []

    def do(self, op: str, **args: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline() or '{"error": "the reader ended"}')
        if "error" in answer:
            raise RuntimeError(answer["error"])
        self.notices += answer.pop("notices", [])
        return answer.get("result")

    def quit(self) -> None:
        if self.process.poll() is None:
            self.do("quit")
        self.process.wait(10)


# The reader on one machine (this file run as `syncthing_pair.py device STATE LIBRARY`) -----


def device(state_folder: str, library: str) -> None:
    """Answer one JSON request a line, doing with the state what the app does."""
    from reader.library.scanning import scan
    from reader.state import Found, State

    root = Path(library)
    state = State.load(Path(state_folder))
    entries = {entry.path.name: entry for entry in scan(root) if not entry.error}
    state.reconcile(Found(e.id, str(e.path), e.title, e.author, str(root)) for e in entries.values())
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer: dict[str, Any] = {"result": _act(state, root, entries, request)}
        except Exception as error:  # told to the script, which fails with it
            answer = {"error": f"{type(error).__name__}: {error}"}
        answer["notices"] = state.pop_notices()
        print(json.dumps(answer), flush=True)
        if request["op"] == "quit":
            return


def _act(state: Any, root: Path, entries: dict[str, Any], request: dict[str, Any]) -> Any:
    from reader.formats import load_story
    from reader.model import Position

    op = request["op"]
    if op == "poll":  # what the app does every 2 s: take in what others changed, write the merge
        changed = state.absorb(state.changes(state.look()))
        state.save()
        return changed
    if op == "quit":
        state.save()
        return None
    entry = entries[request["story"]]
    if op == "show":
        record = state.record(entry.id)
        marks = sorted(mark.name for mark in state.bookmarks(entry.id))
        return {
            "id": entry.id,
            "position": record.get("position"),
            "bookmarks": marks,
            "days": record.get("days"),
        }
    if op == "delete":
        mark = next(mark for mark in state.bookmarks(entry.id) if mark.name == request["name"])
        state.delete_bookmark(entry.id, mark)
        state.save()
        return None
    story = load_story(entry.path, root)
    chapter, offset = request["chapter"], request["offset"]
    place = Position(chapter, offset, story.chapters[chapter].snippet(offset))
    if op == "read":
        state.save_position(
            entry.id,
            place,
            progress=story.progress(place),
            title=story.title,
            path=str(entry.path),
            seconds=30.0,
            author=story.author,
            chapters=len(story.chapters),
        )
        state.log_reading(entry.id, 30.0, 120)
    elif op == "bookmark":
        state.add_bookmark(entry.id, request["name"], place)
    state.save()
    return None


# Two machines and the three checks -------------------------------------------------------


class Machine:
    """One computer: a home, the library at a path of its own, the synced state folder."""

    def __init__(self, name: str, root: Path, library: str, program: str) -> None:
        self.name = name
        self.home = root / name / "home"
        self.library = root / name / library
        self.state = self.home / "Sync" / "reader-state"
        self.library.mkdir(parents=True)
        shutil.copy(ROOT / "sample_library" / STORY, self.library / STORY)
        self.syncthing = Syncthing(name, self.home / ".syncthing", self.state, program)

    def reader(self) -> Reader:
        return Reader(self.home, self.state, self.library)

    def files(self) -> dict[str, bytes]:
        """The story files at the top of the state folder (what must be in step)."""
        return {p.name: p.read_bytes() for p in self.state.glob("*.yaml") if not p.name.startswith(".")}

    def conflicts(self) -> list[str]:
        return sorted(p.name for p in self.state.glob("*.sync-conflict-*"))


def in_step(a: Machine, b: Machine) -> bool:
    files = a.files()
    return bool(files) and files == b.files()


def synced(a: Machine, b: Machine, what: str) -> None:
    """Scan both folders (what the file watcher does), then wait until both hold the same files."""
    for machine in (a, b):
        _retry(machine.syncthing.scan)
    wait(lambda: in_step(a, b), f"{what}: A's and B's state folders to be in step")


def _retry(action: Callable[[], Any]) -> None:
    """A folder just resumed answers 500 for a moment."""
    for _ in range(50):
        try:
            action()
            return
        except OSError:
            time.sleep(0.1)
    action()


def check(condition: bool, what: str, say: Callable[[str], None]) -> None:
    if not condition:
        raise AssertionError(what)
    say(f"  ok  {what}")


def run_checks(root: Path, program: str = "syncthing", say: Callable[[str], None] = print) -> None:
    """Set up two machines under ``root`` and run the three checks; raises on the first failure."""
    a = Machine("A", root, "Stories", program)  # ~/Stories on one machine
    b = Machine("B", root, "data/fic", program)  # /data/fic on the other
    a.syncthing.pair(b.syncthing)
    b.syncthing.pair(a.syncthing)
    readers: list[Reader] = []
    try:
        for machine in (a, b):
            machine.syncthing.start()
        wait(
            lambda: a.syncthing.connected(b.syncthing) and b.syncthing.connected(a.syncthing),
            "A and B to connect",
        )
        say(f"two Syncthing instances connected: A {a.syncthing.id[:7]}, B {b.syncthing.id[:7]}")
        _place_and_bookmark(a, b, readers, say)
        _conflict(a, b, readers, say)
        _deletion(a, b, readers, say)
        _no_conflict_copies(a, b, readers, say)
        _overwritten_while_closed(a, b, readers, say)
    finally:
        for reader in readers:
            try:
                reader.quit()
            except (OSError, RuntimeError, subprocess.TimeoutExpired, ValueError):
                reader.process.kill()
        for machine in (a, b):
            machine.syncthing.stop()


def _place_and_bookmark(a: Machine, b: Machine, readers: list[Reader], say: Callable[[str], None]) -> None:
    say("1. a place and a bookmark made on A appear on B")
    on_a, on_b = a.reader(), b.reader()
    readers += [on_a, on_b]
    check(
        on_a.do("show", story=STORY)["id"] == on_b.do("show", story=STORY)["id"],
        "the same id at ~/Stories and /data/fic",
        say,
    )
    on_a.do("read", story=STORY, chapter=0, offset=1200)
    on_a.do("bookmark", story=STORY, name="the mast at dusk", chapter=0, offset=1200)
    synced(a, b, "A's place")
    on_b.do("poll")
    seen = on_b.do("show", story=STORY)
    check(seen["position"]["offset"] == 1200, "the reader running on B is at A's place", say)
    check(seen["bookmarks"] == ["the mast at dusk"], "and has A's bookmark", say)
    b.syncthing.stop()  # B is switched off; A reads on
    on_b.quit()
    readers.remove(on_b)
    on_a.do("read", story=STORY, chapter=1, offset=300)
    on_a.do("bookmark", story=STORY, name="the second mast", chapter=1, offset=300)
    b.syncthing.start()
    wait(lambda: b.syncthing.connected(a.syncthing), "B to connect again")
    synced(a, b, "A's later place")
    later = b.reader()
    readers.append(later)
    seen = later.do("show", story=STORY)
    check(
        seen["position"]["chapter"] == 1 and seen["position"]["offset"] == 300,
        "a reader started on B later is at A's later place",
        say,
    )
    check(seen["bookmarks"] == ["the mast at dusk", "the second mast"], "with both of A's bookmarks", say)


def _conflict(a: Machine, b: Machine, readers: list[Reader], say: Callable[[str], None]) -> None:
    say("2. the same story read on A and B between syncs: the conflict copy is merged")
    on_a, on_b = readers
    for machine in (a, b):
        machine.syncthing.pause()
    on_a.do("read", story=STORY, chapter=2, offset=100)
    on_a.do("bookmark", story=STORY, name="A: the storm", chapter=2, offset=100)
    time.sleep(0.05)
    on_b.do("read", story=STORY, chapter=2, offset=900)  # later: this place wins
    on_b.do("bookmark", story=STORY, name="B: the harbour", chapter=2, offset=900)
    for machine in (a, b):
        machine.syncthing.pause(False)
    copies = wait(lambda: a.conflicts() + b.conflicts(), "Syncthing to make a conflict copy", 30)
    say(f"     Syncthing's conflict copy: {copies[0]}")

    def settled() -> bool:
        for reader, machine in ((on_a, a), (on_b, b)):
            reader.do("poll")
            _retry(machine.syncthing.scan)
        return in_step(a, b) and not a.conflicts() and not b.conflicts()

    wait(settled, "the conflict copies merged and the folders in step", 40)
    merged = sorted(p.name for m in (a, b) for p in (m.state / "merged-conflicts").glob("*"))
    check(bool(merged), f"the copy was merged and moved aside ({merged[0] if merged else '-'})", say)
    everything = ["A: the storm", "B: the harbour", "the mast at dusk", "the second mast"]
    for reader, where in ((on_a, "A"), (on_b, "B")):
        reader.do("poll")
        seen = reader.do("show", story=STORY)
        place = seen["position"]
        check(
            place["chapter"] == 2 and place["offset"] == 900, f"on {where}: the later place (B's) wins", say
        )
        check(seen["bookmarks"] == everything, f"on {where}: both machines' bookmarks are kept", say)
        check(bool(seen["days"]), f"on {where}: the reading log is kept", say)


def _deletion(a: Machine, b: Machine, readers: list[Reader], say: Callable[[str], None]) -> None:
    say("3. a bookmark deleted on A stays deleted on B")
    on_a, on_b = readers
    on_a.do("delete", story=STORY, name="A: the storm")
    synced(a, b, "A's deletion")
    on_b.do("poll")
    check(
        "A: the storm" not in on_b.do("show", story=STORY)["bookmarks"],
        "the reader on B no longer has it",
        say,
    )
    on_b.do("bookmark", story=STORY, name="B: after the storm", chapter=2, offset=1000)  # B writes again
    synced(a, b, "B's new bookmark")
    on_a.do("poll")
    marks = on_a.do("show", story=STORY)["bookmarks"]
    check(
        "A: the storm" not in marks and "B: after the storm" in marks,
        "B's next write did not bring it back to A",
        say,
    )
    fresh = b.reader()
    readers.append(fresh)
    check(
        "A: the storm" not in fresh.do("show", story=STORY)["bookmarks"],
        "a reader started on B later has it deleted",
        say,
    )


def _no_conflict_copies(a: Machine, b: Machine, readers: list[Reader], say: Callable[[str], None]) -> None:
    """Syncthing told to keep no conflict copies overwrites one machine's version with the other's:
    the reader that made the lost change still holds it, and writes it back."""
    say("4. with Syncthing's conflict copies off (maxConflicts 0), an overwritten change comes back")
    on_a, on_b = readers[:2]
    for machine in (a, b):
        machine.syncthing.configure(maxConflicts=0)
        machine.syncthing.pause()
    on_a.do("bookmark", story=STORY, name="A: offline", chapter=3, offset=50)
    time.sleep(0.05)
    on_b.do("bookmark", story=STORY, name="B: offline", chapter=3, offset=60)
    _resume_and_overwrite(a, b, ("A: offline", "B: offline"), say)
    _until_both_back(a, b, [on_a, on_b], ("A: offline", "B: offline"))
    check(not a.conflicts() and not b.conflicts(), "Syncthing made no conflict copy", say)
    fresh = b.reader()
    readers.append(fresh)
    marks = fresh.do("show", story=STORY)["bookmarks"]
    check(
        {"A: offline", "B: offline"} <= set(marks), "both bookmarks are in the file on B, nothing lost", say
    )


def _resume_and_overwrite(a: Machine, b: Machine, names: tuple[str, str], say: Callable[[str], None]) -> None:
    """Resume syncing, conflict copies off: one side's version overwrites the other's."""
    for machine in (a, b):
        machine.syncthing.pause(False)
    wait(lambda: in_step(a, b), "one machine's version to overwrite the other's")
    (text,) = a.files().values()
    kept = [name for name in names if name in text.decode("utf-8")]
    check(len(kept) == 1, f"Syncthing kept one machine's version only (the file held {kept})", say)


def _until_both_back(a: Machine, b: Machine, readers: list[Reader], names: tuple[str, str]) -> None:
    """The readers on A and B take in what changed, as the app does, until both bookmarks are
    in both folders."""

    def settled() -> bool:
        for reader, machine in zip(readers, (a, b), strict=True):
            reader.do("poll")
            _retry(machine.syncthing.scan)
        marks = [set(reader.do("show", story=STORY)["bookmarks"]) for reader in readers]
        return in_step(a, b) and all(set(names) <= held for held in marks)

    wait(settled, "both machines' bookmarks back in both folders", 40)


def _overwritten_while_closed(
    a: Machine, b: Machine, readers: list[Reader], say: Callable[[str], None]
) -> None:
    """The same, with both readers closed before the overwrite: the machine whose change was lost
    still has its last good copy of the file, and its next reader merges it back."""
    say("5. the same with the readers closed: the next reader on each machine brings it back")
    for reader in readers:
        reader.quit()
    readers.clear()
    for machine in (a, b):
        machine.syncthing.pause()
    for machine, name in ((a, "A: closed"), (b, "B: closed")):
        reader = machine.reader()
        reader.do("bookmark", story=STORY, name=name, chapter=3, offset=70)
        reader.quit()
        time.sleep(0.05)
    _resume_and_overwrite(a, b, ("A: closed", "B: closed"), say)
    readers += [a.reader(), b.reader()]  # started after the overwrite
    _until_both_back(a, b, readers, ("A: closed", "B: closed"))
    told = [notice for reader in readers for notice in reader.notices if "last good copy" in notice]
    check(bool(told), f"both bookmarks are back on A and B; the reader said: {told[:1]}", say)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["device"]:
        device(argv[1], argv[2])
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--syncthing", default="syncthing", help="the syncthing program")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder, to look at")
    args = parser.parse_args(argv)
    if shutil.which(args.syncthing) is None:
        print("needs syncthing (Debian: apt-get install syncthing)", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="reader-syncthing-"))
    started = time.monotonic()
    try:
        run_checks(root, args.syncthing)
    except (AssertionError, TimeoutError) as error:
        print(f"FAILED: {error} (the folders and Syncthing's logs are kept in {root})", file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    print(f"all checks held in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
