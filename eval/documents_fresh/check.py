"""Check eval/fresh.jsonl against the documents here: `python -m eval.documents_fresh.check`.

Every answerable item's key facts (each group: one alternative is enough) must appear in one of the
files here it cites, after the same normalisation the runner scores with (simplified script, no spaces);
a question may also cite a file of corpus/ or eval/documents/ that states the fact (not read here: their
inserted pinyin defeats a plain search). Unanswerable items cite nothing and list no facts; ids are
unique and every cited file exists in the library.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

from docx import Document

from assistant.script import to_simplified
from eval.runner import load_qa

HERE = Path(__file__).parent
QA = HERE.parent / "fresh.jsonl"
OTHERS = (HERE.parent / "documents", HERE.parent.parent / "corpus")


def text_of(path: Path) -> str:
    if path.suffix == ".docx":
        return "\n".join(p.text for p in Document(path).paragraphs)
    raw = path.read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", raw)) if path.suffix == ".html" else raw


def norm(text: str) -> str:
    return re.sub(r"\s+", "", to_simplified(text))


def problems() -> list[str]:
    items = load_qa(QA)
    texts = {p.name: norm(text_of(p)) for p in HERE.iterdir() if p.suffix in (".txt", ".html", ".docx")}
    found = []
    seen = set()
    for qa in items:
        if qa.id in seen or not qa.id.startswith("fr-"):
            found.append(f"{qa.id}: duplicate id or not fr-…")
        seen.add(qa.id)
        if not qa.answerable:
            if qa.answers or qa.sources:
                found.append(f"{qa.id}: unanswerable but lists facts or sources")
            continue
        missing = [s for s in qa.sources if s not in texts and not any((o / s).exists() for o in OTHERS)]
        here = [s for s in qa.sources if s in texts]
        if missing or not here:
            found.append(f"{qa.id}: cites no file here or a missing one {missing}")
            continue
        for group in qa.answers:
            if not any(norm(alt) in texts[s] for alt in group for s in here):
                found.append(f"{qa.id}: {group} is in none of {qa.sources}")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"{len(load_qa(QA))} items, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
