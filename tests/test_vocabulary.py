"""Every entry of data/vocabulary.toml does what it says on its own example (no index needed)."""

import pytest

from assistant.answering.figures import figures
from assistant.answering.intent import CEILING, VALUE_KINDS, analyse, asked_subject, classify, has_value, other_level, other_payer
from assistant.answering.outline import asks_outline
from assistant.library.tokens import canonical, tokenize
from assistant.vocabulary import DOMAIN_WORDS, PROGRAMMES, STOPWORDS, cities_in, issuing_province, places_in, vocabulary

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


@pytest.mark.parametrize("entry", vocabulary()["counts"]["examples"], ids=lambda e: e["question"])
def test_a_count_asked_as_what_happened_is_read_from_its_example(entry):
    assert analyse(entry["question"]).realized is entry["realized"]


@pytest.mark.parametrize("entry", vocabulary()["counts"]["sentences"], ids=lambda e: e["sentence"])
def test_a_ceiling_on_a_count_is_read_from_its_example(entry):
    ceilings = [f for f in figures(entry["sentence"]) if CEILING.search(f.clause_before)]
    assert bool(ceilings) is entry["ceiling"]


@pytest.mark.parametrize("entry", vocabulary()["levels"]["examples"], ids=lambda e: e["question"])
def test_a_sentence_about_another_level_is_told_from_its_example(entry):
    assert other_level(analyse(entry["question"]), entry["sentence"]) is entry["other"]


@pytest.mark.parametrize("entry", vocabulary()["payer_examples"], ids=lambda e: e["question"])
def test_a_sentence_about_another_payer_is_told_from_its_example(entry):
    assert other_payer(analyse(entry["question"]), entry["sentence"]) is entry["other"]


@pytest.mark.parametrize("entry", vocabulary()["places"]["suffixed"]["examples"], ids=lambda e: e["text"])
def test_cities_are_found_and_words_that_look_like_one_are_not(entry):
    assert list(cities_in(entry["text"])) == entry["cities"]


def test_a_city_is_read_whole_next_to_a_province():
    assert cities_in("陕西安康市") == ("安康",)
    assert cities_in("济南通过了新规") == ("济南",)  # not 南通
    assert analyse("厦门现在有几个国家级中小企业特色产业集群？").cities == ("厦门",)
