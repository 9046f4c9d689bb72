"""Files on their way into or out of the corpus, parked where no ingest looks until the index agrees.

An upload is written to `<folder>/.staging/<name>` and moves to `<folder>/<name>` only after its chunks and
its manifest record are in the index; a deleted file moves to `<folder>/.deleting/<name>` before anything
leaves the index. Ingest skips hidden folders, so a process killed half-way leaves a parked file that
`Ingestor.reconcile` settles on the next start: an unfinished upload is undone (its chunks deleted, its
file removed: the client never got a 201), an unfinished delete is finished.

While a change is under way its process holds an exclusive `flock` on the parked file, so a second worker
reconciling at its own start-up leaves a live upload alone.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAGING = ".staging"
DELETING = ".deleting"


def staged_path(final: Path) -> Path:
    return final.parent / STAGING / final.name


def deleting_path(final: Path) -> Path:
    return final.parent / DELETING / final.name


def final_path(parked: Path) -> Path:
    return parked.parent.parent / parked.name


def park(path: Path, parked: Path) -> None:
    parked.parent.mkdir(parents=True, exist_ok=True)
    path.replace(parked)


def parked_files(corpus: Path) -> Iterator[Path]:
    for kind in (STAGING, DELETING):
        yield from sorted(p for p in corpus.rglob(f"{kind}/*") if p.is_file())


@contextmanager
def held(path: Path) -> Iterator[bool]:
    """Holds an exclusive lock on `path` for the block; yields False (holding nothing) when another process has it."""
    with open(path, "rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
