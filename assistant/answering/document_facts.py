"""Questions about a document itself: 暂行办法的文号是什么？2024年的推荐通知是哪天印发的？

They are answered from what the document says of itself, read at ingest: the 文号 under its title, the
date of its signature or 成文日期 field, the issuer its title names. A body sentence that merely cites a
文号 or a date is the classic wrong answer here: a provincial notice quotes the ministry's number, a news
report is dated days after the notice it reports.

The document is the retrieved one the question names: by its 文号, or by its title, which must hold every
year the question names and the province (or be that province's document), and most of its other words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..ingest.govdoc import DOC_NUMBER, doc_number, is_title_line, rules
from ..library.tokens import title_fit, tokenize
from ..script import to_simplified
from ..vocabulary import cities_in, places_in

Field = Literal["doc_number", "signed_on", "issuer"]
# How much of the question's own words (without the asking phrase) the title must hold.
MIN_TITLE_FIT = 0.5
# How far before a 文号's year the kind of its document may end: past 》（ and the issuer's abbreviation.
_TITLE_REACH = 20
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass(frozen=True)
class Fact:
    field: Field
    value: str
    meta: dict


def _kinds() -> tuple[str, ...]:
    return (*rules().title_kinds, "文件")


def asked_field(question: str) -> Field | None:
    """The document field a question asks for, when it names a document (a kind of document or a 文号)
    and asks for one; the asking phrase nearest the end decides (122号文是谁发的 asks for the issuer)."""
    if not (DOC_NUMBER.search(question) or any(kind in question for kind in _kinds())):
        return None
    asked = [(question.rfind(p) + len(p), field) for field, phrases in rules().asking.items() for p in phrases if p in question]
    return max(asked)[1] if asked else None


def subject(question: str, field: Field) -> str:
    """The question without its asking phrase: what is left names the document."""
    for phrase in sorted(rules().asking[field], key=len, reverse=True):
        question = question.replace(phrase, " ")
    return question


def kind_named(text: str) -> str:
    """The kind of document a question names (暂行办法, 通告), the last one it names: in 公布名单的通告 the
    document is a 通告. A 通知 and a 通告 are different documents, and so are a 暂行办法 and an 实施办法."""
    found = [(text.rfind(kind) + len(kind), len(kind), kind) for kind in _kinds() if kind in text]
    return max(found)[2] if found and max(found)[2] != "文件" else ""


def numbers_the_kind_asked(question: str, sentence: str) -> bool:
    """Whether a 文号 in the sentence is the number of the kind of document the question names. A 文号
    follows the title it belongs to, whose kind ends it: 《…实施办法》（陕工信发〔2023〕89号） numbers the 办法,
    not the 名单通知 the sentence goes on to mention."""
    kind = kind_named(subject(question, "doc_number"))
    return any(not kind or kind in sentence[max(0, m.start(1) - _TITLE_REACH) : m.start(1)] for m in DOC_NUMBER.finditer(sentence))


def _number_key(number: str) -> str:
    return re.sub(r"[〔\[［【(（〕\]］】)）\s]", "", number)


def official_title(meta: dict) -> str:
    """The document's official title: its own, or the one the report or repost carries in its body."""
    return meta.get("official_title") or meta.get("title", "")


def value_of(field: Field, meta: dict) -> str | None:
    """A report's site is not the issuer of the notice it reports: only an official text has one here.
    A repost that carries the notice's full title and signature speaks for the notice."""
    if field == "issuer":
        return meta.get("source") if is_title_line(meta.get("title", "")) else None
    return meta.get(field)


def names_a_document(question: str) -> bool:
    """Whether the question names a document by 文号, or asks for a document's own field."""
    return bool(doc_number(question) or asked_field(question))


def named_documents(question: str, metas: list[dict]) -> list[dict]:
    """The documents a question names (best first): by 文号, or, when it asks for a document's own field,
    by a title that holds its years, its province and most of its other words. Of equally good copies,
    the official text comes before a report about it, and a national text before a province's when the
    question names no province."""
    named, field, places = doc_number(question), asked_field(question), (*places_in(question), *cities_in(question))
    if named:
        hits = [m for m in metas if _number_key(m.get("doc_number") or "") == _number_key(named)]
        fit = {id(m): 1.0 for m in hits}
    elif field:
        named_as = subject(question, field)
        tokens = tokenize(named_as)
        years, kind = set(_YEAR.findall(question)), kind_named(named_as)
        fit = {id(m): title_fit(tokens, _titles(m)) for m in metas}
        quoted = quoted_titles(question)
        hits = [m for m in metas if title_names(m, years, places, kind, quoted) and fit[id(m)] >= MIN_TITLE_FIT]
    else:
        return []
    return sorted(
        hits,
        key=lambda m: (-round(fit[id(m)], 1), not is_title_line(m.get("title", "")), not places and bool(m.get("region"))),
    )


def _titles(meta: dict) -> str:
    return to_simplified(f"{meta.get('title', '')} {meta.get('official_title') or ''}")


def title_names(meta: dict, years: set[str], places: tuple[str, ...], kind: str, quoted: tuple[str, ...] = ()) -> bool:
    """The document's title holds the years and the kind of document named, its title or region the
    provinces and cities named (陕西实施办法 names a Shaanxi 实施办法, not the national 暂行办法), and every
    title the question quotes in 《》 whole: 《关于进一步支持…的通知》 is not 《关于支持…的通知》."""
    titles = _titles(meta)
    return (
        years <= set(_YEAR.findall(titles))
        and all(p in titles or p == meta.get("region") for p in places)
        and kind in titles
        and all(q in _bare(titles) for q in quoted)
    )


def quoted_titles(question: str) -> tuple[str, ...]:
    """The titles a question quotes in 《》, without their punctuation and spaces."""
    return tuple(q for q in (_bare(t) for t in re.findall(r"《([^《》]{4,})》", question)) if q)


def _bare(text: str) -> str:
    """Only the words: quotation marks, brackets and spaces vary between copies of a title."""
    return re.sub(r"[^\w]|_", "", text)


def names_document(question: str) -> Callable[[dict], bool]:
    """Which documents a question about one of their parts may mean (陕西实施办法第二十条): those whose title
    names the province and the kind of document written before the part, or any when it names neither."""
    m = re.search(r"第[^第]{1,4}[章条]", question)
    named_as = question[: m.start()] if m else question
    places, kind, quoted = (*places_in(named_as), *cities_in(named_as)), kind_named(named_as), quoted_titles(named_as)
    return lambda meta: title_names(meta, set(), places, kind, quoted)


def find_fact(question: str, field: Field, metas: list[dict]) -> Fact | None:
    """The asked field of the document the question names, among `metas` (the retrieved documents)."""
    for meta in named_documents(question, metas)[:1]:
        if value := value_of(field, meta):
            return Fact(field, value, meta)
    return None


def phrase(fact: Fact) -> str:
    """The answer's wording; the value is what the document states, the rest is template."""
    if fact.field == "doc_number":
        return f"的文号是{fact.value}"
    if fact.field == "signed_on":
        return f"的成文（落款）日期是{chinese_date(fact.value)}"
    return f"由{fact.value}印发"


def quote(fact: Fact) -> str:
    """What the document says of itself, as its head or signature reads: the title with the value."""
    value = chinese_date(fact.value) if fact.field == "signed_on" else fact.value
    return f"{official_title(fact.meta)} {value}"


def chinese_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{year}年{int(month)}月{int(day)}日"
