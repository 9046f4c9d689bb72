"""Read a file of any supported type into plain text, or say in Chinese why it cannot be read."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class LoadError(Exception):
    """A file that cannot become text; the message names the reason for the user."""


@dataclass(frozen=True)
class Loaded:
    text: str
    hints: dict[str, str] = field(default_factory=dict)
    """Metadata the format itself carries (an HTML page's title and date); text-header extraction fills the rest."""


def load_file(path: Path) -> Loaded:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"不支持的文件类型 {suffix or '(无扩展名)'}，支持：{' '.join(SUPPORTED_SUFFIXES)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"无法读取文件：{exc.strerror or exc}") from exc
    return load_bytes(data, suffix)


def load_bytes(data: bytes, suffix: str) -> Loaded:
    if not data.strip():
        raise LoadError("文件为空")
    reader = _READERS.get(suffix.lower())
    if reader is None:
        raise LoadError(f"不支持的文件类型 {suffix}")
    loaded = reader(data)
    if isinstance(loaded, str):
        loaded = Loaded(loaded)
    if not loaded.text.strip():
        raise LoadError("文件中没有可提取的文字")
    return loaded


def decode_text(data: bytes) -> str:
    """Decode bytes whose encoding is unknown: UTF-8 first, then what charset-normalizer finds (GB18030, Big5…)."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("看起来是二进制文件，不是文本")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "gbk", "big5", "utf_16", "utf_8"]).best()
    if best is None:
        best = from_bytes(data).best()
    if best is None or best.chaos > 0.3:
        raise LoadError("无法识别文本编码（已尝试 UTF-8、GB18030/GBK、Big5），请转换为 UTF-8 后重试")
    return str(best)


def _read_html(data: bytes) -> Loaded:
    import trafilatura

    doc = trafilatura.bare_extraction(decode_text(data), include_comments=False, with_metadata=True)
    if doc is None or not doc.text:
        raise LoadError("HTML 中没有找到正文")
    hints = {"title": doc.title, "date": doc.date, "source": doc.sitename, "url": doc.url}
    return Loaded(doc.text, {k: v for k, v in hints.items() if v})


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        # pypdf's own message is English and technical; the log keeps it, the user gets what to do.
        raise LoadError("PDF 无法解析（文件可能已损坏、加密或不完整），请用其他软件另存为 PDF 后重新上传") from exc


def _read_docx(data: bytes) -> str:
    import zipfile

    from docx import Document as DocxDocument

    try:
        doc = DocxDocument(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError("DOCX 文件已损坏或不是 Word 文档") from exc
    return "\n".join(p.text for p in doc.paragraphs)


_READERS = {
    ".txt": decode_text,
    ".md": decode_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}
