"""The offline answerer: picks the source sentences that answer the question and composes them.

Apart from connective templates (截至…，此前…), every word of an answer is copied from a source sentence,
and every sentence carries its citation. When no sentence is about what was asked (the place, the year
and the programme named in the question) or the best evidence is weak, it declines.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from ..ingest.govdoc import DOC_NUMBER, lead_in
from ..library.tokens import _jieba, canonical, tokenize, weight
from ..schema import Citation, Script, Turn
from ..script import in_script, to_simplified, to_traditional
from ..vocabulary import CITIES, PROVINCES, cities_in, issuing_province
from .articles import article_text, asked_article
from .document_facts import (
    Field, asked_field, chinese_date, find_fact, names_document, numbers_the_kind_asked, official_title, phrase, quote,
)
from .evidence import Sentence, build_citation, candidate_sentences, introduces, reading_order, sentences_from
from .figures import answering_figures, asked_years, figures, names_other_time, only_other_figures, other_year, within_stated_band
from .intent import Intent, analyse, char_pairs, has_value, mentions, number_pattern, other_level, other_payer, quantity_matches
from .outline import asks_outline, outline, topic_level
from .query import Question
from .rewrite import standalone
from .sentence_vectors import SentenceVectors

LOW_QUALITY_NOTE = "（来源文本质量较低，请以原文为准）"
DISAGREEMENT_NOTE = "（来源之间不一致：另有{n}份资料给出{figure}，见{refs}；请以最新的正式文件为准核对。）"
NOT_FOUND = "资料中未找到能回答这个问题的内容。"
# e5 similarities are compressed: off-topic questions reach ~0.84 against this corpus, on-topic 0.90–0.95.
SEM_FLOOR, SEM_SPAN = 0.84, 0.10
MIN_TOPICALITY = 0.2
UNMATCHED_QUANTITY = 0.75
_CLAUSE = re.compile(r"(?<=[,，;；:：])")
_YEARLESS_NUMBER = re.compile(r"(?<![\d.])(?!(?:19|20)\d{2}年)\d+(?:\.\d+)?(?![\d年])")
_TYPE_FIT = {
    "number": (_YEARLESS_NUMBER, 0.3),
    "list": (re.compile(r"、.*、|分别是|包括|以及"), 0.5),
    "date": (re.compile(r"\d+月|\d+日|(19|20)\d{2}年"), 0.4),
    "condition": (re.compile(r"不少于|不低于|不超过|以上|以下|应|须|要求|条件|标准|一般"), 0.6),
    # A list comma alone (…申报、推荐、评审…) is no definition; a list glossing a term in brackets is one
    # (专精特新(专业化、精细化、…)).
    "definition": (re.compile(r"是|指|所称|称作|称为|被称|定义|即|[（(][^）)]+、"), 0.7),
    # Who said it, or who is responsible (由…负责, 作为申报主体).
    "who": (re.compile(r"说|表示|介绍|指出|告诉|透露|认为|建议|[”\"]|由[^，,。]{1,25}?(?:负责|作为|认定|申报|推荐|组织|审核|承担)|负责|主体|牵头"), 0.7),
    "general": (re.compile(r"[\u4e00-\u9fff]"), 1.0),
}
_ANAPHOR = re.compile(r"该|其|此|这|它|上述|本次")
_OPENS_WITH_ANAPHOR = re.compile(r"(?:该|此|这|上述)[\u4e00-\u9fff]{0,4}?(?:集群|企业|园区|产业|细则|办法|名单|文件|计划)|其中")
_DATE_GRAIN = {"day": r"\d+月\d+日", "month": r"\d+月", "year": r"(19|20)\d{2}年"}
# 第二 as a list word, not 第二条 or 第二批, which number an article or a batch.
_ENUMERATED = re.compile(r"^(一是|二是|三是|四是|五是|六是|其一|其二|其三|第[一二三四](?![条章节款项批次届])|首先|其次|再次|最后)")
_SPEECH = re.compile(r"说|表示|介绍|指出|告诉|透露|认为|建议|分享")
# A question about the current total wants the sentence that states a running total.
_CUMULATIVE = re.compile(r"累计|迄今|至此|截至|目前|已有|增至|总数|共有")
# 最低多少, 上限是多少, 对…怎么要求: the question asks for a rule's bound, which a measured figure does not state.
_ASKS_BOUND = re.compile(r"要求|最低|最少|至少|起码|下限|上限|最高|最多|门槛|硬杠杠|不能超过|不得超过|才行|才能|才够|得有|要有|限报|名额|限额")
_STATES_BOUND = re.compile(r"不低于|不少于|不高于|不超过|不得|(?<!规模)以上|以下|以内|至少|最多|高于|低于|超过|须|应当")


@dataclass
class Draft:
    """What an answerer returns; the chain adds the question, retrieval and timings."""

    answer: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    fallback: str | None = None


@lru_cache(maxsize=4096)
def is_place(token: str) -> bool:
    """西安, 陕西: a place name, which alone does not make a question about what a sentence says."""
    import jieba.posseg

    _jieba()
    return token in PROVINCES or all(w.flag.startswith("ns") for w in jieba.posseg.lcut(token))


def topical(tokens: list[str], text: str) -> bool:
    """Whether a passage shares with the question a word that is not a place name: 帮我订明天去西安的机票
    shares only 西安 with a passage about Xi'an's clusters."""
    text = canonical(text)
    return any(t in text and not is_place(t) for t in tokens)


def lexical_coverage(
    tokens: list[str], text: str, previous: str = "", weights: dict[str, float] | None = None, heading: str = ""
) -> float:
    """Weighted share of the question's words in the sentence; words only in the sentence before count half.
    Words of the title or heading it stands under (and the province its document is about) count as its
    own: they say what every sentence there is about, so a sentence that restates them gains nothing over
    its neighbours, and the words that set it apart decide."""
    w = weights or {t: weight(t) for t in tokens}
    total = sum(w[t] for t in tokens)
    if not total:
        return 0.0
    text, previous, heading = canonical(text), canonical(previous), canonical(heading)
    found = sum(w[t] if t in text or t in heading else 0.5 * w[t] if t in previous else 0.0 for t in tokens)
    return found / total


def discriminating_weights(tokens: list[str], texts: list[str]) -> dict[str, float]:
    """Word weights for telling candidates apart: a word in nearly every retrieved sentence (the province,
    the year and the programme the retrieved documents are all about) says little about which sentence
    answers; the word only a few share (关中, 资产负债率) says much."""
    texts = [canonical(t) for t in texts]
    n = len(texts)
    out = {}
    for t in dict.fromkeys(tokens):
        df = sum(t in x for x in texts)
        out[t] = weight(t) * (0.3 + 0.7 * math.log((n + 1) / (df + 1)) / math.log(n + 1)) if n else weight(t)
    return out


def constraint(intent: Intent, sentence: Sentence, context: str, section: str = "") -> float:
    """1.0 when the sentence is about what was asked, less when only its surroundings say so, 0 when not.

    A province asked about must be named in the sentence, or in the one before it when the sentence
    refers back (该集群, 其中), or be the province the document is about: a chunk that names it elsewhere
    is usually about something else. A particular cluster it names (嘉善光电子器件集群) must be named in the sentence, the one
    before, the title or at least the chunk. A figure the question names (a year, a batch) may sit
    anywhere in the chunk or be the document's year. Of the programmes asked about, one is enough; spun
    text swaps words for synonyms, so in a low-quality sentence a missing programme only weakens it.
    `section` is the heading of the part of the document the sentence stands in (附件3：专精特新“小巨人”企业
    认定标准): what it or the title names, the sentence is about.
    """
    factor = 1.0
    near = sentence.previous
    title = to_simplified(sentence.meta.get("title", "")) + section
    if national_only(intent) and region_of(sentence.meta) and not mentions(sentence.simplified, "国家级"):
        return 0.0  # a province's own rule or figure does not answer a question about the national one
    for place in (*intent.places, *intent.cities):
        if place in sentence.simplified or (CITIES.get(place) in intent.places and CITIES[place] in sentence.simplified):
            continue  # a city asked of with its province (山东（含青岛）有多少个): the province's figure answers
        names_other = _names_other_place(place, sentence.simplified)
        if place in intent.cities and place in near and not names_other:
            continue  # the passage goes on about the city the sentence before named
        refers_back = bool(_ANAPHOR.search(sentence.simplified))
        in_document = place in title or place == sentence.meta.get("region") or place in to_simplified(sentence.meta.get("source", ""))
        if (place in near and refers_back) or (in_document and not names_other):
            factor *= 0.85
        elif place in intent.cities and place in context and not names_other:
            factor *= 0.85  # a passage about a city's firms or clusters names it once, like a cluster's name
        else:
            return 0.0
    if intent.locality and intent.counted and intent.locality not in f"{near}{sentence.simplified}":
        return 0.0  # 全省已达32个 does not say how many are in 陕南
    if intent.cluster_words and not any(w in f"{title}{near}{sentence.simplified}" for w in intent.cluster_words):
        if not any(w in context for w in intent.cluster_words):
            return 0.0  # about another cluster, or about clusters in general
        factor *= 0.75
    if names_other_time(intent, DOC_NUMBER.sub("", sentence.simplified)):
        return 0.0
    doc_year = (sentence.date or "")[:4]
    for number in intent.numbers:
        standalone_number = number_pattern(number, number in intent.ordinals)
        if standalone_number.search(DOC_NUMBER.sub("", f"{sentence.simplified}{title}")):  # 〔2023〕 is no year
            continue
        unit = dict(intent.measured).get(number)
        if unit and within_stated_band(number, unit, sentence.simplified):
            continue  # 打了75分 is answered by the rule for 70分（含）至80分
        if standalone_number.search(context) or number == doc_year:
            factor *= 0.75
        else:
            return 0.0
    # A ministry's own notice is about the national programme throughout, whether a sentence says so or not.
    national_text = intent.programmes == ("国家级",) and national_issuer(sentence.meta)
    if not national_text and other_level(intent, f"{sentence.simplified}{title}"):
        return 0.0  # 全省共有18个省级集群 does not answer 国家级集群里陕西有几个
    if other_payer(intent, sentence.simplified):
        return 0.0  # 省级专项资金给予300万元 does not answer 中央财政给多少
    # A programme named only in a cited title (依据《关于开展…“瞪羚”企业培育认定工作的通知》) is not what the
    # sentence is about.
    own_words = f"{CITED_TITLE.sub('', sentence.simplified)}{title}"
    if intent.programmes and not national_text and not any(mentions(own_words, g) for g in intent.programmes):
        if any(mentions(CITED_TITLE.sub("", context), g) for g in intent.programmes):
            factor *= 0.75
        elif sentence.low_quality:
            factor *= 0.5
        else:
            return 0.0
    return factor


# What a lead-in may run to: a few items of a list, or the criteria under an annex heading.
MAX_INTRODUCED_SENTENCES = 10
MAX_INTRODUCED_CHARS = 900


def what_follows(head: Sentence, ranked: list[Sentence]) -> list[Sentence]:
    """The sentences after a lead-in in its own document, in reading order, while they stay in its part
    of the document (the same annex, article or item) and no other lead-in begins."""
    start, lead = reading_order(head), lead_in(head.simplified)
    after = sorted((s for s in ranked if s.doc_id == head.doc_id and reading_order(s) > start), key=reading_order)
    out, size = [], 0
    for s in after:
        # An article under a chapter heading has its own place (第六条, not 第二章第六条); the heading's
        # lead-in among those enclosing it says it is inside.
        if head.place and not s.place.startswith(head.place) and not (lead and lead in s.heading):
            break
        if out and (introduces(s) or size + len(s.simplified) > MAX_INTRODUCED_CHARS or len(out) >= MAX_INTRODUCED_SENTENCES):
            break
        out.append(s)
        size += len(s.simplified)
    return out


CITED_TITLE = re.compile(r"《[^《》]*(?:《[^《》]*》[^《》]*)*》")


def _names_other_place(place: str, text: str) -> bool:
    """The text names a province other than `place` (or than a city's own province), or another city."""
    own = CITIES.get(place)
    if any(p in text for p in PROVINCES if p not in (place, own)):
        return True
    return bool(own) and any(c != place for c in cities_in(text))


def national_only(intent: Intent) -> bool:
    """国家级…, 全国…, with no province or city named: the question is about the national programme."""
    return not intent.places and not intent.cities and (intent.nationwide or "国家级" in intent.programmes)


def national_issuer(meta: dict) -> bool:
    """A document issued by a national body (工业和信息化部, 国务院办公厅) about no particular province."""
    return not meta.get("region") and bool(re.search(r"部|国务院|国家", to_simplified(meta.get("source", ""))))


def region_of(meta: dict) -> str | None:
    """The province a document belongs to, when its title or issuer names one (云南省工业和信息化厅…)."""
    return issuing_province(meta.get("source", ""), meta.get("title", ""))


def holds_answer(intent: Intent, sentence: str, question: str) -> bool:
    """Whether the sentence holds a value of the kind asked (an amount, a share, a date, a province…) that
    the question does not name itself, in a clause about the attribute asked and not about another year;
    and, for a count, a figure not plainly about something else."""
    # The year test reads the clause as written: 2022年12月29日至2023年1月5日 is still about the 2022 asked.
    if intent.value_kind and not any(
        has_value(intent.value_kind, bare) and intent.value_attribute in bare
        and (intent.value_kind.years or not other_year(intent, clause))
        for clause in re.split(r"[,，;；。]", sentence)
        if (bare := _without_named(intent, clause))
    ):
        return False
    if intent.value_kind and intent.value_kind.name == "doc_number" and not numbers_the_kind_asked(question, sentence):
        return False
    if intent.type != "number" or intent.ranked:
        return True
    found = figures(sentence)
    return bool(found) and not only_other_figures(intent, sentence, question, found)


def names_subject(intent: Intent, s: Sentence, heading: str) -> bool:
    """Whether the sentence, the one before it or what it stands under names the noun the asked value is of."""
    subject = canonical(intent.subject)
    return not subject or subject in canonical(f"{s.previous}{s.simplified}{heading}")


def _without_named(intent: Intent, text: str) -> str:
    """The text without the figures and places the question names itself, which cannot be its answer."""
    for number in intent.numbers:
        text = number_pattern(number).sub("", text)
    for place in (*intent.places, *intent.cities):
        text = text.replace(place, "")
    return text



def continuation(intent: Intent, best: Sentence, candidates: list[Sentence]) -> list[Sentence]:
    """Sentences that finish what the best one starts: the items of an enumerated list (一是…二是…),
    or, for a 'who' question, the attribution after a quotation (……。”徐晓兰说。)."""
    same_chunk = sorted((s for s in candidates if s.meta is best.meta), key=lambda s: s.position)
    following = [s for s in same_chunk if s.position > best.position]
    out: list[Sentence] = []
    if intent.type in ("list", "condition", "definition") and _ENUMERATED.match(best.simplified):
        # The best item of a list (三是…) brings the items before it too (一是…, 二是…).
        for s in reversed([s for s in same_chunk if s.position < best.position]):
            if s.position != best.position - len(out) - 1 or not _ENUMERATED.match(s.simplified):
                break
            out.append(s)
    before = len(out)
    for s in following:
        expected = best.position + len(out) - before + 1
        if s.position != expected:
            break
        if intent.type in ("list", "condition", "definition") and _ENUMERATED.match(s.simplified):
            out.append(s)
        elif intent.type == "who" and not out and not _SPEECH.search(best.simplified) and len(s.simplified) < 40 and _SPEECH.search(s.simplified):
            out.append(s)
            break
        else:
            break
    return out[:5]


def disagreement(intent: Intent, question: str, chosen: list[Sentence], ranked: list[Sentence]) -> tuple[str, list[Sentence]]:
    """Sentences from two or more other documents that agree on one other figure for the count asked,
    where the answer gives its own: 来源之间不一致. They are shown beside the answer with their dates,
    neither outvoted nor hidden (a planted figure, or an update the other sources have not caught up with).
    Copies of one document (reposts, which share its title) count once."""
    if intent.type != "number" or not intent.counted:
        return "", []
    best = chosen[0]
    given = answering_figures(intent, best.simplified, question)
    if not given:
        return "", []
    own = to_simplified(best.meta.get("title", ""))
    by_figure: dict[str, dict[str, Sentence]] = {}
    # Runners-up already in the answer (the same count at an earlier date) and close ones left out.
    for s in chosen[1:] + [s for s in ranked[1:30] if s not in chosen]:
        if s not in chosen and (s.score < 0.8 * best.score or s.parts["about"] < 1.0 or s.parts["fit"] < 1.0):
            continue
        title = to_simplified(s.meta.get("title", ""))
        found = answering_figures(intent, s.simplified, question)
        if title == own or found & given:
            continue
        for figure in found:
            by_figure.setdefault(figure, {}).setdefault(title, s)
    figure, agreeing = max(by_figure.items(), key=lambda item: len(item[1]), default=("", {}))
    return (figure, list(agreeing.values())[:3]) if len(agreeing) >= 2 else ("", [])


# How alike two sentences' wording must be (character pairs, figures aside) to state the same rule or figure.
RESTATEMENT_OVERLAP = 0.4
RESTATEMENT_SCORE = 0.6


def _wording(text: str) -> set[str]:
    return char_pairs(re.sub(r"[\d.%]+", "#", text))


def restatements(intent: Intent, best: Sentence, ranked: list[Sentence]) -> tuple[Sentence | None, Sentence | None]:
    """Another document's version of what the best sentence states (每年3月31日前 where an older notice said
    4月30日前, 约占3% where an older report said 2%): the newest version, when later than the best, answers,
    and the latest older one with other figures is shown after it, whichever of the two ranks first. A
    version must be close in score, hold an answer as the best does, be about what was asked, and say the
    same thing in nearly the same words, so that only the value differs. A question that names a year
    (2022年度…) asks for that year's version, not the newest. Returns (newer, older)."""
    if not best.date or asked_years(intent):
        return None, None
    words = _wording(best.simplified)
    versions = [
        s
        for s in ranked[1:15]
        if s.date and s.date != best.date and s.doc_id != best.doc_id and s.score >= RESTATEMENT_SCORE * best.score
        and s.parts["fit"] >= best.parts["fit"] * 0.8 and s.parts["about"] >= best.parts["about"]
        and len(words & (other := _wording(s.simplified))) / max(1, len(words | other)) >= RESTATEMENT_OVERLAP
    ]
    newer = max((s for s in versions if s.date > best.date), key=lambda s: (s.date, s.score), default=None)
    stated = _figures_of(best.simplified)
    older = [s for s in versions if s.date < best.date and _figures_of(s.simplified) != stated]
    return newer, (None if newer else max(older, key=lambda s: (s.date, s.score), default=None))


def _figures_of(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def trim_to_clauses(sentence: str, tokens: list[str]) -> str:
    """Drop the clauses before the first and after the last that say something the question asks about
    (a figure, a year or one of its weightiest words): "如无异议,至此,浙江…增至23个" → "浙江…增至23个"."""
    clauses = [c for c in _CLAUSE.split(sentence) if c]
    words = [t for t in tokens if len(t) >= 2 and not t.isdigit()]
    # dict.fromkeys, not set: equal weights keep the question's order, so an answer never depends on the
    # process's string-hash seed.
    heavy = sorted(dict.fromkeys(words), key=weight, reverse=True)[:3]

    def says_something(clause: str, vocabulary: list[str]) -> bool:
        return bool(_YEARLESS_NUMBER.search(clause) or re.search(r"(19|20)\d{2}", clause) or any(t in clause for t in vocabulary))

    first = next((i for i, c in enumerate(clauses) if says_something(c, heavy)), 0)
    last = max((i for i, c in enumerate(clauses) if says_something(c, words)), default=len(clauses) - 1)
    return "".join(clauses[first : max(first, last) + 1])


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embeddings: Embeddings, sentences: SentenceVectors, min_evidence: float = 0.155, max_sentences: int = 3):
        self.embeddings = embeddings
        self.sentences = sentences
        self.min_evidence = min_evidence
        self.max_sentences = max_sentences

    # -- scoring ----------------------------------------------------------------------------------
    def score(self, question: Question, docs: list[Document]) -> tuple[Intent, list[Sentence]]:
        intent = analyse(question.search)
        tokens = tokenize(question.search)
        candidates = candidate_sentences(docs)
        if not candidates:
            return intent, []
        qvec = question.vector or self.embeddings.embed_query(question.search)
        svecs = self.sentences.get([s.simplified for s in candidates])
        contexts = {d.metadata["chunk_id"]: f"{d.metadata.get('title', '')}\n{d.page_content}" for d in docs}
        on_topic = {cid: topical(tokens, context) for cid, context in contexts.items()}
        pattern, miss = _TYPE_FIT[intent.type]
        weights = discriminating_weights(tokens, [s.simplified for s in candidates])
        bound_asked = bool(_ASKS_BOUND.search(question.search))
        headings = {(s.doc_id, s.place): s.simplified for s in reversed(candidates) if s.place and introduces(s)}
        titles = {s.doc_id: to_simplified(s.meta.get("title", "")) for s in candidates}
        # Vectors are normalised: the dot product is the cosine.
        cosines = (np.asarray(svecs, dtype=np.float64) @ np.asarray(qvec, dtype=np.float64)).tolist()
        for s, cos in zip(candidates, cosines):
            section = s.heading + "".join(h for (doc, place), h in headings.items() if doc == s.doc_id and s.place.startswith(place))
            heading = f"{titles[s.doc_id]}{section}{s.meta.get('region') or ''}"
            lex = lexical_coverage(tokens, s.simplified, s.previous, weights, heading)
            sem = max(0.0, min(1.0, (cos - SEM_FLOOR) / SEM_SPAN))
            # A lead-in (下列条件：) is answered with what it introduces, which holds the items asked for. A list
            # marker (一是…) says where a sentence stands, not what it says: its 是 defines nothing.
            fit = 1.0 if pattern.search(_ENUMERATED.sub("", s.simplified, count=1)) or (intent.type in ("list", "condition") and introduces(s)) else miss
            if intent.type == "number" and fit == 1.0 and intent.counted and not quantity_matches(intent, s.simplified):
                fit = UNMATCHED_QUANTITY
            if intent.type == "date" and fit == 1.0 and not re.search(_DATE_GRAIN[intent.date_grain], s.simplified):
                fit = 0.75
            if bound_asked and not _STATES_BOUND.search(s.simplified):
                fit *= 0.8
            if intent.wants_latest and intent.type == "number" and intent.measure:
                fit *= 1.0 if _CUMULATIVE.search(s.simplified) else 0.8
            if not holds_answer(intent, s.simplified, question.search) or not names_subject(intent, s, heading):
                fit = 0.0
            context = contexts.get(s.meta.get("chunk_id"), "")
            about = constraint(intent, s, context, section)
            quality = 0.85 if s.low_quality else 1.0
            prior = 1.0 - 0.03 * s.rank
            s.parts = {"lex": lex, "sem": sem, "fit": fit, "about": about, "topical": on_topic.get(s.meta.get("chunk_id"), False)}
            s.score = (0.5 * lex + 0.5 * sem) * fit * about * quality * prior
        candidates.sort(key=lambda s: -s.score)
        return intent, candidates

    # -- choosing ---------------------------------------------------------------------------------
    def choose(self, intent: Intent, ranked: list[Sentence]) -> list[Sentence]:
        """The best sentence, plus close runners-up: the same figure at another date, the rest of a list.
        A heading or a lead-in (…认定标准（要点）, 通知如下：) is answered with what it introduces."""
        best = ranked[0]
        if introduces(best) or topic_level(best):
            # A heading, or a unit's opening that only names its subject (第四条 推动集群智能化改造。), is
            # answered with what stands under it.
            return [best, *what_follows(best, ranked)]
        newer, older = restatements(intent, best, ranked)
        chosen = [newer, best] if newer else [best, older] if older else [best]
        for s in ranked[1 : self.max_sentences * 4]:
            if len(chosen) >= self.max_sentences or s.score < 0.8 * best.score:
                break
            if s in chosen:
                continue
            if s.parts["about"] < 1.0 and best.parts["about"] == 1.0:
                continue  # a sentence about something else (another place, another year) stays out
            other_time = s.doc_id != best.doc_id and s.date != best.date
            if intent.type == "number" and other_time and _YEARLESS_NUMBER.search(s.simplified):
                chosen.append(s)
            elif s.score >= 0.9 * best.score and s.doc_id == best.doc_id:
                chosen.append(s)
        chosen += [s for s in continuation(intent, best, ranked) if s not in chosen]
        if _OPENS_WITH_ANAPHOR.match(best.simplified):
            # 该集群现有…412家 means nothing without the sentence that says which cluster.
            chosen += [s for s in ranked if s.simplified == best.previous and s not in chosen][:1]
        # Latest dated evidence first; within a document, reading order.
        return sorted(chosen, key=lambda s: (-(int((s.date or "0").replace("-", "")) or 0), s.position))

    # -- composing --------------------------------------------------------------------------------
    def compose(self, question: Question, intent: Intent, chosen: list[Sentence], disagreeing: tuple[str, list[Sentence]] = ("", [])) -> Draft:
        script: Script = question.script
        tokens = tokenize(question.search)
        numbering: dict[str, int] = {}
        grouped: dict[str, list[Sentence]] = {}
        parts = []
        for s in chosen:
            n = numbering.setdefault(s.doc_id, len(numbering) + 1)
            grouped.setdefault(s.doc_id, []).append(s)
            text = s.display(script)
            if intent.type == "number":
                text = trim_to_clauses(text, tokens if script == "simplified" else [to_traditional(t) for t in tokens])
            text = text.rstrip("。；;，, ")
            lead = in_script(self._lead(intent, s, chosen[0]), script)
            if text.endswith(("：", ":")) and s is not chosen[-1]:
                parts.append(f"{lead}{text}")  # a lead-in runs on into its items, which carry the citation
                continue
            note = in_script(LOW_QUALITY_NOTE, script) if s.low_quality else ""
            parts.append(f"{lead}{text}[{n}]{note}。")
        figure, others = disagreeing
        if others:
            refs = []
            for s in others:
                n = numbering.setdefault(s.doc_id, len(numbering) + 1)
                if s not in chosen:
                    grouped.setdefault(s.doc_id, []).append(s)
                refs.append(f"《{s.meta.get('title', '')}》（{chinese_date(s.date) if s.date else '日期不详'}）[{n}]")
            parts.append(in_script(DISAGREEMENT_NOTE.format(n=len(others), figure=figure, refs="、".join(refs)), script))
        answer = "".join(parts)
        citations = [build_citation(numbering[d], grouped[d], script) for d in numbering]
        return Draft(answer=answer, answered=True, citations=citations)

    @staticmethod
    def _lead(intent: Intent, s: Sentence, first: Sentence) -> str:
        if s is first:
            # A count is dated by its document; a rule (不低于…, 应当…) is not a count "as of" that date.
            stated_rule = _STATES_BOUND.search(s.simplified)
            if intent.type == "number" and s.date and not stated_rule and not re.search(r"(19|20)\d{2}", s.simplified):
                return f"截至{s.date[:4]}年{int(s.date[5:7])}月，"
            return ""
        if s.date and first.date and s.date < first.date:
            return f"此前，据{s.date[:4]}年{int(s.date[5:7])}月{int(s.date[8:10])}日发布的资料，"
        return "此外，" if s.doc_id != first.doc_id else ""

    def decline(self, script: Script, docs: list[Document] = (), lead: str = NOT_FOUND) -> Draft:
        """Say so plainly; when the question was on topic, point to the closest documents as related reading."""
        related: dict[str, str] = {}
        for d in docs:
            m = d.metadata
            if m.get("dense", 0) >= SEM_FLOOR and len(related) < 3:
                related.setdefault(m["doc_id"], f"《{m.get('title', '')}》（{m.get('source', '')}，{m.get('date') or '日期不详'}）")
        text = lead + (f"相关资料：{'；'.join(related.values())}。" if related else "")
        return Draft(answer=in_script(text, script), answered=False)

    @staticmethod
    def evidence(ranked: list[Sentence]) -> float:
        """The best sentence's score, or 0 when it is not on the question's topic at all: chatter that shares
        a word with the corpus (杭州明天天气) matches lexically but not in meaning, and a sentence sharing
        no word with the question is close in meaning only by accident."""
        best = ranked[0] if ranked else None
        if not best or best.parts["sem"] < MIN_TOPICALITY or best.parts["lex"] == 0 or not best.parts["topical"]:
            return 0.0
        return best.score

    def confident(self, ranked: list[Sentence]) -> bool:
        return self.evidence(ranked) >= self.min_evidence

    def answer(self, question: Question, docs: list[Document]) -> Draft:
        article = asked_article(question.search)
        if article is not None:
            return self.quote_article(question, *article, docs)
        field = asked_field(question.search)
        if field and (fact := self.document_fact(question, field, docs)):
            return fact
        intent, ranked = self.score(question, docs)
        if not self.confident(ranked):
            return self.decline(question.script, docs)
        if asks_outline(question.search) and (units := outline(ranked[0], ranked)):
            return self.quote_outline(question, units)
        chosen = self.choose(intent, ranked)
        return self.compose(question, intent, chosen, disagreement(intent, question.search, chosen, ranked))

    def quote_article(self, question: Question, n: int, label: str, docs: list[Document]) -> Draft:
        """第N条怎么规定: that article's text, cited with its place, or a plain statement that it is not here."""
        tokens = tokenize(question.search)
        found = article_text(
            n, sentences_from(docs), lambda title: lexical_coverage(tokens, to_simplified(title)), names_document(question.search)
        )
        if not found:
            return self.decline(question.script, docs, lead=f"资料中没有找到{label}的内容。")
        first = found[0]
        body = "".join(s.display(question.script) for s in found).rstrip("。；;，, ")
        title = first.meta.get("title", "")
        intro = f"《{title.strip('《》')}》{first.place}规定：" if title else ""
        answer = f"{in_script(intro, question.script)}{body}[1]。"
        return Draft(answer=answer, answered=True, citations=[build_citation(1, found, question.script)])

    def quote_outline(self, question: Question, units: list[Sentence]) -> Draft:
        """从哪些方面…: the headings of the units under one heading of a document (see `outline`), cited together."""
        script, first = question.script, units[0]
        title = first.meta.get("title", "").strip("《》")
        intro = f"《{title}》{first.heading}：" if title else ""
        body = "；".join(s.display(script).rstrip("。；;，, ") for s in units)
        note = LOW_QUALITY_NOTE if any(s.low_quality for s in units) else ""
        answer = f"{in_script(intro, script)}{body}[1]{in_script(note, script)}。"
        return Draft(answer=answer, answered=True, citations=[build_citation(1, units, script)])

    def document_fact(self, question: Question, field: Field, docs: list[Document]) -> Draft | None:
        """文号, 落款日期 or issuer of the document the question names, from what it says of itself."""
        metas = list({d.metadata["doc_id"]: d.metadata for d in docs}.values())
        fact = find_fact(question.search, field, metas)
        if fact is None:
            return None
        title = official_title(fact.meta).strip("《》")
        answer = f"《{title}》{in_script(phrase(fact), question.script)}[1]。"
        meta = fact.meta
        citation = Citation(
            n=1, doc_id=meta["doc_id"], title=meta.get("title", ""), source=meta.get("source", ""), date=meta.get("date"),
            url=meta.get("url"), quote=quote(fact), quality="ok", doc_number=meta.get("doc_number"),
        )
        return Draft(answer=answer, answered=True, citations=[citation])

    def rewrite(self, question: Question, history: list[Turn]) -> str:
        return standalone(question.search, history)

    def stream(self, question: Question, docs: list[Document]) -> Iterator[str | Draft]:
        """Sentence by sentence, so the chat shows the answer forming as the LLM backend's would."""
        draft = self.answer(question, docs)
        for piece in re.findall(r"[^。]+。?", draft.answer):
            yield piece
        yield draft
