"""Safe outputs: files appear complete or not at all, and nothing a user wrote is
replaced without being asked.

`staged(out)` gives a writer a temporary directory inside `out`; when the writer is
done, its files are moved into place (`os.replace`, one rename each, with SIGINT and
SIGTERM held for those few milliseconds), so an interrupted run leaves no partial file
that looks complete, only a `.callsim-partial-*` directory that the next run into
`out` removes. Before moving anything it refuses:

- an empty path (`--out ""` would write into the current directory), a path that is a
  file, a device (/dev/null) or a dangling symbolic link;
- a second callsim writing into the same directory at the same time (an advisory lock
  on the directory, `flock`);
- replacing a file callsim did not write, or that was changed since: callsim records
  what it wrote in `.callsim-manifest.json` (name -> SHA-256); `force=True` (the
  CLI's `--force`) replaces them anyway;
- a symbolic link or a directory where a file goes: never followed, never replaced
  without `force` (a link is then replaced by the file, its target untouched);
- replacing a device, a pipe or a socket (`/dev/null`), even with `force`;
- replacing a file the command reads (`inputs`: its scenario, forecast, log), by any
  name or hard link, even with `force`.

`write_file` does the same for one file (`staff --write`), and refuses to replace the
file it was made from by any path: same inode (a hard link, `..`, a symlink to it).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".callsim-manifest.json"
PARTIAL = ".callsim-partial-"


class OutputError(Exception):
    """An output callsim refuses to write; `problems` lists one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Stage:
    """Where a writer writes (`dir`), and after the move the files in place."""

    dir: Path
    target: Path
    written: list[Path] = field(default_factory=list)


def target_path(raw: str | os.PathLike[str] | None, option: str = "--out") -> Path:
    """The directory asked for, refused if empty or not a directory."""
    text = os.fspath(raw) if raw is not None else ""
    if not text.strip():
        raise OutputError([f"{option}: an empty path; name a directory, e.g. {option} results"])
    path = Path(text)
    if path.is_symlink() and not path.exists():
        raise OutputError([f"{path}: a symbolic link to nothing ({os.readlink(path)})"])
    if path.exists() and not path.is_dir():
        raise OutputError([f"{path}: exists and is not a directory"])
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(target: Path) -> dict[str, str]:
    path = target / MANIFEST
    if path.is_symlink() or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """An exclusive advisory lock on the directory, or OutputError at once."""
    fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                [f"{target}: another callsim is writing into this directory; wait for it"]
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _staged_files(stage: Path) -> list[str]:
    names = []
    for root, _dirs, files in os.walk(stage):
        names += [os.path.relpath(os.path.join(root, f), stage) for f in files]
    return sorted(names)


def _conflict(
    dest: Path, known: str | None, force: bool, inputs: Sequence[Path] = ()
) -> str | None:
    """Why `dest` may not be replaced (None: it may)."""
    try:
        st = os.lstat(dest)
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return f"{dest}: a directory is in the way"
    if _special(dest):
        return f"{dest}: {SPECIAL}"
    if any(_same_entry(st, path) for path in inputs):
        return f"{dest}: an input of this command; callsim never replaces it, even with --force"
    if force:
        return None
    if stat.S_ISLNK(st.st_mode):
        return f"{dest}: a symbolic link (callsim never writes through one); --force replaces it"
    if not stat.S_ISREG(st.st_mode) or known is None or _sha256(dest) != known:
        return f"{dest}: not written by callsim (or changed since); --force replaces it"
    return None


SPECIAL = "a device, pipe or socket, not a file: callsim never replaces one, even with --force"


def _special(path: Path) -> bool:
    """Whether `path` (links followed) is something other than a file or a directory:
    /dev/null replaced by a file would break every program on the machine."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _same_entry(st: os.stat_result, path: Path) -> bool:
    """Whether the directory entry `st` (not followed) is the file `path` (or its link)."""
    for look in (os.stat, os.lstat):
        try:
            other = look(path)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def _parents_safe(target: Path, rel: str) -> str | None:
    """A symbolic link or a file among the folders of `rel` inside `target`."""
    folder = target
    for part in Path(rel).parts[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            return f"{folder}: not a plain directory (callsim never writes through a link)"
    return None


def _commit(stage: Path, target: Path, force: bool, inputs: Sequence[Path] = ()) -> list[Path]:
    manifest = _read_manifest(target)
    names = _staged_files(stage)
    hashes = {rel: _sha256(stage / rel) for rel in names}
    problems = [
        p
        for rel in names
        for p in (
            _parents_safe(target, rel),
            _conflict(target / rel, manifest.get(rel), force, inputs),
        )
        if p
    ]
    if problems:
        raise OutputError(problems)
    manifest = {k: v for k, v in manifest.items() if (target / k).is_file()} | hashes
    (stage / MANIFEST).write_text(json.dumps({"files": manifest}, indent=1), encoding="utf-8")
    with _signals_held():
        for rel in names:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / rel, target / rel)
        os.replace(stage / MANIFEST, target / MANIFEST)
    return [target / rel for rel in names]


@contextlib.contextmanager
def staged(
    out: str | os.PathLike[str] | None,
    *,
    force: bool = False,
    option: str = "--out",
    inputs: Sequence[str | os.PathLike[str]] = (),
) -> Iterator[Stage]:
    """A temporary directory to write into; its files replace those in `out` only if
    the block ends normally and every one may be replaced (see the module doc; never
    one of `inputs`, the files the command read).
    Raises OutputError (nothing moved) or the block's own exception."""
    target = target_path(out, option)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError([f"{target}: cannot create ({exc.strerror or exc})"]) from None
    with _locked(target):
        for old in target.glob(PARTIAL + "*"):
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)  # left by a killed run
        stage = Stage(Path(tempfile.mkdtemp(prefix=PARTIAL, dir=target)), target)
        try:
            yield stage
            stage.written = _commit(stage.dir, target, force, [Path(p) for p in inputs])
        finally:
            shutil.rmtree(stage.dir, ignore_errors=True)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file (same device and inode), links followed."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_file(
    target: str | os.PathLike[str] | None,
    text: str,
    *,
    source: Path,
    ours: Callable[[str], bool],
    check: Callable[[Path], None] | None = None,
    force: bool = False,
    option: str = "--write",
    source_name: str = "the scenario",
) -> Path:
    """Write `text` to `target` in one rename, refused as `check_target` refuses it.
    `check(temp path)` runs on the complete file before it replaces anything (and may
    raise)."""
    path = check_target(
        target, source=source, ours=ours, force=force, option=option, source_name=source_name
    )
    folder = path.parent
    fd, temp = tempfile.mkstemp(prefix=PARTIAL, suffix=path.suffix, dir=folder)
    mask = os.umask(0)
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)  # as a plain write would (mkstemp makes it 0600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if check is not None:
            check(Path(temp))
        with _signals_held():
            os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return path


def check_target(
    target: str | os.PathLike[str] | None,
    *,
    source: Path,
    ours: Callable[[str], bool],
    force: bool = False,
    option: str = "--write",
    probe: bool = False,
    source_name: str = "the scenario",
) -> Path:
    """The file `write_file` would write, or OutputError: an empty path, the `source`
    (`source_name` in the message) itself by any path (same inode), a directory, a
    device, a link (no `force`), an existing file whose text `ours` does not recognise
    (no `force`). With `probe`, also the OSError that writing would meet (a folder
    missing or not writable): a command checks its target so before any long work."""
    raw = os.fspath(target) if target is not None else ""
    if not raw.strip():
        raise OutputError([f"{option}: an empty path; name a file"])
    path = Path(raw)
    if same_file(path, source):
        raise OutputError(
            [f"{option}: {path} is {source_name} itself (by another path or a hard link)"]
        )
    if path.is_dir():
        raise OutputError([f"{path}: a directory; name a file"])
    if _special(path):
        raise OutputError([f"{path}: {SPECIAL}"])
    if not force and path.is_symlink():
        raise OutputError([f"{path}: a symbolic link (never written through); --force replaces it"])
    if not force and path.exists():
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            head = ""
        if not ours(head):
            raise OutputError([f"{path}: not written by callsim; --force replaces it"])
    if probe:
        fd, temp = tempfile.mkstemp(prefix=PARTIAL, suffix=path.suffix, dir=path.parent)
        os.close(fd)
        os.unlink(temp)
    return path
