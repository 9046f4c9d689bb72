"""The evaluation suites: `seeds` (eval/qa.jsonl on the corpus), `policy` (government documents) and `fresh`.

The policy suite's documents live in eval/documents/, not corpus/: they are written for evaluation and
must not leak into the library users get. `policy_settings` builds a temporary library of the corpus
plus those documents, so the questions are asked of both together, as a user's library would hold them.
Its questions were split once, at random, into dev (for tuning) and test (never used for tuning).
The `fresh` suite adds eval/documents_fresh/ to that library and asks eval/fresh.jsonl: documents and
questions written after the rules, by someone who never read them. It is a measurement, not a gate.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.ingest.load import SUPPORTED_SUFFIXES
from assistant.settings import Settings

HERE = Path(__file__).parent
DOCUMENTS = HERE / "documents"
POLICY_SPLITS = {"dev": HERE / "policy_dev.jsonl", "test": HERE / "policy_test.jsonl"}
POLICY_THRESHOLDS = HERE / "thresholds_policy.json"
FRESH_DOCUMENTS = HERE / "documents_fresh"
FRESH_QA = HERE / "fresh.jsonl"


def policy_documents(folder: Path = DOCUMENTS) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES and p.name.lower() != "readme.md")


def policy_settings(workdir: Path, base: Settings, folders: tuple[Path, ...] = (DOCUMENTS,)) -> Settings:
    """A library of the corpus plus `folders` (eval/documents/) in `workdir`, with the same model and answer settings."""
    corpus = workdir / "corpus"
    shutil.copytree(base.corpus_dir, corpus, dirs_exist_ok=True)
    for path in (path for folder in folders for path in policy_documents(folder)):
        shutil.copy2(path, corpus / path.name)
    return base.model_copy(update={"corpus_dir": corpus, "index_dir": workdir / "index"})
