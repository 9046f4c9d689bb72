"""Every supported format loads, encodings are detected, and bad files fail with a reason."""

import io
import zipfile

import pytest
from docx import Document as DocxDocument

from assistant.ingest.load import LoadError, ReadLimits, load_file

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


def docx_with_body(tmp_path, body_xml: bytes) -> bytes:
    """A real .docx whose word/document.xml body is replaced: what a hostile upload can carry in 45 KB."""
    path = tmp_path / "base.docx"
    DocxDocument().save(path)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                head, _, rest = data.partition(b"<w:body>")
                data = head + b"<w:body>" + body_xml + b"<w:sectPr/></w:body></w:document>"
            dst.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("body", "limits", "reason"),
    [
        (b"<w:p/>" * 5_000_000, ReadLimits(), "5000000 个段落"),  # 5 million empty paragraphs
        (b"<w:p><w:r><w:t>" + b" " * (3 * 1024 * 1024) + b"</w:t></w:r></w:p>", ReadLimits(max_extracted_mb=1), "解压后"),
        (b"<w:p><w:r><w:t>" + "集".encode() * 4_000_000 + b"</w:t></w:r></w:p>", ReadLimits(), "已损坏"),  # a 12 MB text node
    ],
    ids=["paragraphs", "unzipped size", "huge text node"],
)
def test_docx_bombs_are_refused_with_a_reason(tmp_path, body, limits, reason):
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_with_body(tmp_path, body))
    assert path.stat().st_size < 512 * 1024
    with pytest.raises(LoadError, match=reason):
        load_file(path, limits)


def test_a_pdf_over_the_page_limit_is_refused(tmp_path):
    path = tmp_path / "long.pdf"
    path.write_bytes(_minimal_pdf("page", pages=3))
    assert "page" in load_file(path, ReadLimits(max_pdf_pages=3)).text
    with pytest.raises(LoadError, match="3 页，超过 2 页"):
        load_file(path, ReadLimits(max_pdf_pages=2))


def _minimal_pdf(text: str, pages: int = 1) -> bytes:
    """A one-page PDF with a Helvetica text line, built by hand so the test needs no PDF writer."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join([b"3 0 R"] * pages), pages),
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


def test_lines_a_pdf_layout_wrapped_are_joined_and_its_items_stay_apart():
    from assistant.ingest.load import unwrap_lines

    page = "\n".join(
        [
            "一、核心竞争力较强。近三年产值每年都在10亿元以上；中小企业产值占集群总产值的比重在50%",
            "以上；主导产业产值占比高于60%。",
            "二、拥有专精特新“小巨人”企业或者制造业单项冠军企业不少于1家，或者专精特新中小企业合计不少",
            "于3家。",
            "附件：1.申报表",
            "      2.佐证材料清单",
        ]
    )
    lines = unwrap_lines(page).split("\n")
    assert lines[0].endswith("比重在50%以上；主导产业产值占比高于60%。")
    assert lines[1].startswith("二、") and lines[1].endswith("合计不少于3家。")
    assert lines[2:] == ["附件：1.申报表", "      2.佐证材料清单"]  # short lines end where the writer ended them
