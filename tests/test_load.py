"""Every supported format loads, encodings are detected, and bad files fail with a reason."""

import pytest
from docx import Document as DocxDocument

from assistant.load import LoadError, load_file

TEXT = "根据计划，“十四五”期间，广东将推动培育10万家创新型中小企业、1万家专精特新中小企业、1000家专精特新“小巨人”企业。"
TRAD = "產業集群是促進中小企業高質量發展的重要組織形式，是產業鏈供應鏈重要組成單元。"


@pytest.mark.parametrize(
    ("encoding", "text"), [("utf-8", TEXT), ("gb18030", TEXT), ("gbk", TEXT), ("big5", TRAD), ("utf-8-sig", TEXT)]
)
def test_text_encodings_are_detected(tmp_path, encoding, text):
    path = tmp_path / "doc.txt"
    path.write_bytes(((text + "\n") * 5).encode(encoding))
    assert text in load_file(path).text


def test_markdown_loads_as_text(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text(f"# 广东梯度培育\n\n{TEXT}\n", encoding="utf-8")
    assert TEXT in load_file(path).text


def test_docx_paragraphs_load(tmp_path):
    doc = DocxDocument()
    doc.add_paragraph("广东将建立梯度培育体系")
    doc.add_paragraph(TEXT)
    path = tmp_path / "doc.docx"
    doc.save(path)
    assert TEXT in load_file(path).text


def test_pdf_text_loads(tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(_minimal_pdf("Zhejiang has 23 national SME clusters as of 2024."))
    assert "23 national SME clusters" in load_file(path).text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "文件为空"),
        ("blank.txt", b"   \n\n ", "文件为空"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00", "不支持的文件类型"),
        ("binary.txt", b"\x00\x01\x02\x03" * 100, "二进制"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "DOCX"),
    ],
)
def test_bad_files_fail_with_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError, match=reason):
        load_file(path)


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a Helvetica text line, built by hand so the test needs no PDF writer."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
