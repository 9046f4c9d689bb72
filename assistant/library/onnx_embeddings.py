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
            tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
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
        encoded = self._tokenizer.encode_batch([prompt + t for t in texts])
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
