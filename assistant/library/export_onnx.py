"""Export a sentence-transformers BERT folder to ONNX, fp32 and dynamic int8, for onnxruntime on CPU.

sentence-transformers' own ONNX backend needs optimum-onnx, whose only release pins transformers below
4.58 (this project runs 5.x), so the export is done here with torch's exporter and onnxruntime's tools:

* ``onnx/model.onnx``: the encoder with mean pooling and L2 normalisation inside the graph (inputs
  ``input_ids`` and ``attention_mask``, output ``sentence_embedding``), after onnxruntime's BERT fusions
  (attention, layer norm, GELU), which is what makes CPU inference fast;
* ``onnx/model_qint8.onnx``: the same graph with weights dynamically quantised to int8 (per channel).

Both are written to a temporary file and renamed into place, so an interrupted export leaves nothing
half-written and the next ``models prepare`` does it again; existing files are kept (idempotent).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from pathlib import Path

__all__ = ["ONNX_FP32", "ONNX_INT8", "export_onnx"]

ONNX_FP32 = "onnx/model.onnx"
ONNX_INT8 = "onnx/model_qint8.onnx"
OUTPUT = "sentence_embedding"
# The TorchScript exporter, not dynamo: onnxruntime's BERT fusion recognises the graph it writes.
OPSET = 17

log = logging.getLogger("sme.models")


def export_onnx(folder: Path) -> tuple[Path, Path]:
    """Write the fp32 and int8 ONNX files under ``folder`` unless they exist; returns their paths."""
    fp32, int8 = folder / ONNX_FP32, folder / ONNX_INT8
    fp32.parent.mkdir(exist_ok=True)
    if not fp32.exists():
        log.info("导出 ONNX 模型：%s", fp32)
        _write_atomically(fp32, lambda tmp: _export_fused_fp32(folder, tmp))
    if not int8.exists():
        log.info("量化 ONNX 模型（int8）：%s", int8)
        _write_atomically(int8, lambda tmp: _quantize_int8(fp32, tmp))
    return fp32, int8


def _write_atomically(target: Path, write) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.chmod(0o644)  # mkstemp's 0600 would hide the model from other users of a shared cache
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def _export_fused_fp32(folder: Path, target: Path) -> None:
    import torch
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import BertModel

    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    if not pooling.get("pooling_mode_mean_tokens") or not (folder / "2_Normalize").is_dir():
        raise ValueError(f"{folder} 不是均值池化并归一化的句向量模型，无法导出 ONNX")
    # eager attention: SDPA traces into a graph the fusion does not recognise.
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    bert = BertModel.from_pretrained(folder, attn_implementation="eager").eval()
    config = bert.config

    class MeanPooled(torch.nn.Module):
        """What sentence-transformers' Transformer → Pooling(mean) → Normalize modules compute."""

        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    example = torch.ones(2, 8, dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    raw = target.with_suffix(".raw.onnx")
    try:
        # The tracer warns about Python branches on shapes; the dynamic axes are checked by the tests.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                MeanPooled(),
                (example, example),
                str(raw),
                input_names=["input_ids", "attention_mask"],
                output_names=[OUTPUT],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, OUTPUT: {0: "batch"}},
                opset_version=OPSET,
                dynamo=False,
            )
        fused = optimize_model(
            str(raw), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size
        )
        log.info("ONNX 融合算子：%s", fused.get_fused_operator_statistics())
        fused.save_model_to_file(str(target))
    finally:
        raw.unlink(missing_ok=True)


def _quantize_int8(fp32: Path, target: Path) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Fused ops (Attention, SkipLayerNormalization) live in onnxruntime's domain, where ONNX shape
    # inference gives no types, hence DefaultTensorType: their tensors are fp32. The quantiser's advice
    # to pre-process is for static (calibrated) quantisation; it is silenced.
    logging.getLogger().addFilter(_quantise_advice)
    try:
        quantize_dynamic(
            str(fp32),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        logging.getLogger().removeFilter(_quantise_advice)


def _quantise_advice(record: logging.LogRecord) -> bool:
    return "pre-processing before quantization" not in record.getMessage()
