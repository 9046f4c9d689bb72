"""Read a file of any supported type into plain text, or say in Chinese why it cannot be read.

Uploaded files are untrusted: a 45 KB .docx can unzip to 5 million paragraphs, a PDF can hold thousands of
pages. Each read is bounded (`ReadLimits`) before the expensive parse starts, and whatever a parser library
raises on a malformed file becomes a `LoadError` with a Chinese reason: its own messages are English and
technical.
"""

from __future__ import annotations

import io
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
MB = 1024 * 1024

log = logging.getLogger("sme.load")


class LoadError(Exception):
    """A file that cannot become text; the message names the reason for the user."""


@dataclass(frozen=True)
class Loaded:
    text: str
    hints: dict[str, str] = field(default_factory=dict)
    """Metadata the format itself carries (an HTML page's title and date); text-header extraction fills the rest."""


@dataclass(frozen=True)
class ReadLimits:
    """How much one file may cost to read (`SME_MAX_EXTRACTED_MB`, `SME_MAX_PARAGRAPHS`, `SME_MAX_PDF_PAGES`,
    `SME_READ_SECONDS`)."""

    max_extracted_mb: float = 100
    max_paragraphs: int = 100_000
    max_pdf_pages: int = 2000
    seconds: float = 60

    @classmethod
    def of(cls, settings) -> ReadLimits:
        return cls(settings.max_extracted_mb, settings.max_paragraphs, settings.max_pdf_pages, settings.read_seconds)

    @property
    def max_extracted_bytes(self) -> int:
        return int(self.max_extracted_mb * MB)


def load_file(path: Path, limits: ReadLimits = ReadLimits()) -> Loaded:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"不支持的文件类型 {suffix or '(无扩展名)'}，支持：{' '.join(SUPPORTED_SUFFIXES)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"无法读取文件：{exc.strerror or exc}") from exc
    return load_bytes(data, suffix, limits)


def load_bytes(data: bytes, suffix: str, limits: ReadLimits = ReadLimits()) -> Loaded:
    if not data.strip():
        raise LoadError("文件为空")
    reader = _READERS.get(suffix.lower())
    if reader is None:
        raise LoadError(f"不支持的文件类型 {suffix}")
    loaded = reader(data, limits)
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


def _read_text(data: bytes, limits: ReadLimits) -> str:
    return decode_text(data)  # as large as the upload itself: nothing to unpack


def _read_html(data: bytes, limits: ReadLimits) -> Loaded:
    import trafilatura

    doc = trafilatura.bare_extraction(decode_text(data), include_comments=False, with_metadata=True)
    if doc is None or not doc.text:
        raise LoadError("HTML 中没有找到正文")
    hints = {"title": doc.title, "date": doc.date, "source": doc.sitename, "url": doc.url}
    return Loaded(doc.text, {k: v for k, v in hints.items() if v})


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line.rstrip())


# A PDF line this close to the page's full width was wrapped by the layout, not ended by the writer.
_FULL_LINE = 0.85
_ENDS_SENTENCE = re.compile(r"[。；;！？!?：:]\s*$")
_OPENS_UNIT = re.compile(r"^\s*(第[一二三四五六七八九十百零〇\d]+[章条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]|附件)")


def unwrap_lines(text: str) -> str:
    """Join the lines a PDF's layout wrapped mid-sentence (比重在50%⏎以上), so sentences, figures and
    criteria stay whole. A line is joined to the one before when that one runs the full width of the
    page and does not end a sentence, and the line does not open an article or item of its own."""
    lines = text.split("\n")
    widths = sorted(_width(line) for line in lines if line.strip())
    if len(widths) < 3:
        return text
    full = widths[int(len(widths) * 0.9)] * _FULL_LINE
    out: list[str] = []
    wrapped = False
    for line in lines:
        if wrapped and line.strip() and not _OPENS_UNIT.match(line):
            out[-1] = out[-1].rstrip() + line.strip()
        else:
            out.append(line)
        wrapped = _width(line) >= full and not _ENDS_SENTENCE.search(line)
    return "\n".join(out)


def _read_pdf(data: bytes, limits: ReadLimits) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) > limits.max_pdf_pages:
            raise LoadError(f"PDF 有 {len(reader.pages)} 页，超过 {limits.max_pdf_pages} 页的上限，请拆分后分别上传")
        deadline = time.monotonic() + limits.seconds
        pages, size = [], 0
        for page in reader.pages:
            pages.append(unwrap_lines(page.extract_text() or ""))
            size += len(pages[-1])
            if size > limits.max_extracted_bytes:
                raise LoadError(f"PDF 提取出的文字超过 {limits.max_extracted_mb:g} MB 的上限，请拆分后分别上传")
            if time.monotonic() > deadline:
                raise LoadError(f"PDF 解析超过 {limits.seconds:g} 秒仍未完成，请拆分或另存为文本后重新上传")
        return "\n".join(pages)
    except LoadError:
        raise
    except Exception as exc:  # a hostile PDF can make pypdf raise almost anything; none of it is the user's to read
        log.info("unreadable PDF: %r", exc)
        raise LoadError("PDF 无法解析（文件可能已损坏、加密或不完整），请用其他软件另存为 PDF 后重新上传") from exc


def _read_docx(data: bytes, limits: ReadLimits) -> str:
    import zipfile

    from docx import Document as DocxDocument

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            # Declared sizes bound the reads too: zipfile stops a member at its declared size.
            unpacked = sum(member.file_size for member in package.infolist())
            if unpacked > limits.max_extracted_bytes:
                raise LoadError(
                    f"DOCX 解压后有 {unpacked / MB:.0f} MB，超过 {limits.max_extracted_mb:g} MB 的上限，"
                    "不像正常的 Word 文档；请另存为新文件或拆分后重新上传"
                )
            body = package.read("word/document.xml")
        paragraphs = body.count(b"<w:p>") + body.count(b"<w:p ") + body.count(b"<w:p/>")
        if paragraphs > limits.max_paragraphs:
            raise LoadError(f"DOCX 有 {paragraphs} 个段落，超过 {limits.max_paragraphs} 个的上限，请删去空段落或拆分后重新上传")
        doc = DocxDocument(io.BytesIO(data))
        return "\n".join(p.text for p in doc.paragraphs)
    except LoadError:
        raise
    except Exception as exc:  # zip, XML (a text node over 10 MB) and python-docx errors alike
        log.info("unreadable DOCX: %r", exc)
        raise LoadError("DOCX 文件已损坏或不是 Word 文档，请用 Word 或 WPS 另存为 .docx 后重新上传") from exc


_READERS = {
    ".txt": _read_text,
    ".md": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}
