"""A library of documents written for the criteria tests (tests/data/criteria: the shapes of a ministry's
办法 with its 认定标准, a provincial 实施办法, 申报通知 with 申报条件, a newer notice that changes a
threshold, a news report that states no criterion), plus the spun Jiangsu seed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.container import Assistant

from .conftest import SEEDS, make_settings

CRITERIA_DOCS = Path(__file__).parent / "data" / "criteria"
NATIONAL_CLUSTER = "国家级中小企业特色产业集群"
PROVINCIAL_CLUSTER = "省级中小企业特色产业集群"
LITTLE_GIANT = "专精特新“小巨人”企业"
SPECIALISED = "专精特新中小企业"


def criteria_corpus(tmp: Path) -> Path:
    corpus = tmp / "corpus"
    shutil.copytree(CRITERIA_DOCS, corpus)
    shutil.copy(SEEDS["jiangsu_spun"], corpus / SEEDS["jiangsu_spun"].name)
    return corpus


def criteria_library(tmp: Path, **overrides) -> Assistant:
    """The documents above in a real embedded Chroma, ingested as `make ingest` does."""
    assistant = Assistant(make_settings(tmp, criteria_corpus(tmp), **overrides))
    assistant.ingestor.ingest(progress=False)
    return assistant


@pytest.fixture(scope="session")
def library(tmp_path_factory, model_dir) -> Assistant:
    """Built once per session, for every test that only reads it."""
    return criteria_library(tmp_path_factory.mktemp("criteria-library"))
