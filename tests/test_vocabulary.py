"""Every entry of data/vocabulary.toml does what it says on its own example (no index needed)."""

import pytest

from assistant.answering.intent import VALUE_KINDS, analyse, asked_subject, classify, has_value
from assistant.answering.outline import asks_outline
from assistant.library.tokens import canonical, tokenize
from assistant.vocabulary import DOMAIN_WORDS, PROGRAMMES, STOPWORDS, issuing_province, places_in, vocabulary

TYPE_EXAMPLES = [(t["name"], q) for t in vocabulary()["types"] for q in t["examples"]]
KINDS = {k.name: k for k in VALUE_KINDS}


@pytest.mark.parametrize(("qtype", "question"), TYPE_EXAMPLES)
def test_each_question_type_recognises_its_examples(qtype, question):
    assert classify(question) == qtype


@pytest.mark.parametrize("entry", vocabulary()["value_kinds"], ids=lambda e: e["name"])
def test_each_value_kind_is_asked_by_its_question_and_found_in_its_sentence(entry):
    assert analyse(entry["question"]).value_kind.name == entry["name"]
    assert has_value(KINDS[entry["name"]], entry["sentence"])


@pytest.mark.parametrize("question", vocabulary()["outline"]["questions"])
def test_questions_about_the_aspects_a_rule_covers_ask_for_its_outline(question):
    assert asks_outline(question)


@pytest.mark.parametrize("question", vocabulary()["outline"]["not_questions"])
def test_questions_about_conditions_names_or_one_aspect_do_not_ask_for_an_outline(question):
    assert not asks_outline(question)


@pytest.mark.parametrize("entry", vocabulary()["subject"]["examples"], ids=lambda e: e["question"])
def test_the_subject_a_value_is_asked_of_is_read_from_its_example(entry):
    assert asked_subject(entry["question"]) == entry["subject"]


@pytest.mark.parametrize("entry", vocabulary()["synonyms"], ids=lambda e: e["variant"])
def test_each_synonym_reads_its_example_in_the_canonical_form(entry):
    read = canonical(entry["example"])
    assert entry["canonical"] in read and entry["variant"] not in read


@pytest.mark.parametrize("word", DOMAIN_WORDS)
def test_each_policy_term_stays_one_token(word):
    assert word in tokenize(f"关于{word}的政策") and word not in STOPWORDS


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_a_question_naming_a_programme_is_about_it(programme):
    assert programme in analyse(f"{programme}的认定条件有哪些？").programmes


def test_provinces_are_found_in_issuers_in_either_script():
    assert places_in("陕西省工业和信息化厅") == ("陕西",)
    assert issuing_province("雲南省工業和信息化廳", "") == "云南"  # traditional script too
    assert issuing_province("工业和信息化部", "关于2024年度中小企业特色产业集群名单的通告") is None
