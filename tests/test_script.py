"""Script conversion: the shortcut for text that needs none gives what OpenCC gives."""

from pathlib import Path

from assistant.script import _converter, detect_script, to_simplified

ROOT = Path(__file__).resolve().parents[1]


def _lines() -> list[str]:
    files = [*ROOT.joinpath("corpus").iterdir(), *ROOT.joinpath("eval", "documents").iterdir()]
    return [line for f in files if f.suffix in (".txt", ".md", ".html") for line in f.read_text(encoding="utf-8").splitlines()]


def test_every_corpus_line_converts_as_opencc_converts_it():
    lines = _lines()
    assert any(detect_script(line) == "traditional" for line in lines)  # both scripts are exercised
    assert [to_simplified(line) for line in lines] == [_converter("t2s").convert(line) for line in lines]


def test_words_whose_conversion_depends_on_their_neighbours_still_convert():
    # 么麽 and 傢俱 are phrase entries: 么 and 俱 alone stay as they are.
    for text in ("什么", "傢俱廠", "么麽小丑", "著名的產業集群", "乾隆年間"):
        assert to_simplified(text) == _converter("t2s").convert(text)
