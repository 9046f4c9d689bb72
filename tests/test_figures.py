"""What a question asks for, and which figures in a real corpus sentence can answer it (no index needed)."""

import pytest

from assistant.answering.figures import figures, only_other_figures, other_year
from assistant.answering.intent import analyse, cluster_words, has_value

TOP = "具体到各地,若合并计划单列市的数据,山东、浙江均以23个的数量并列榜首,广东、江苏、山东、浙江等经济大省普遍新增集群数量在8个以上"
COUNTY = "据赛迪顾问统计,截至2023年,县域3247家专精特新“小巨人”企业占总数的25.6%,分布在全国769个县级行政区"
JIASHAN = "比如本次入选的浙江省嘉善县光电子器件产业集群,目前就聚集了103家企业,亿元以上企业24家。"
PLAN = "根据计划,今年广东还将再建设一批国家级小企业特色产业集群,30个左右省级中小企业特色产业集群"
OUTPUT = "截至目前,工信部已在全国范围内认定了100个中小企业特色产业集群,2022年产值超过2.5万亿元,出口贸易额平均增长率达30%"


@pytest.mark.parametrize(
    ("question", "kind", "attribute"),
    [
        ("申请专精特新“小巨人”企业,营业收入要达到多少?", "amount", "收入"),
        ("广东认定专精特新中小企业,对研发投入占营收比重要求多少?", "share", ""),
        ("首批100个集群2022年的出口贸易额总共是多少亿元?", "amount", "易额"),
        ("2025年国家级特色产业集群的申报截止日期是哪天?", "deadline", ""),
        ("2024年度集群名单是哪天公布的?", "when", ""),
        ("一个集群被认定为国家级以后,这个称号管几年?", "duration", ""),
        ("福泉磷化工产业集群一共带动了多少个就业岗位?", "jobs", "就业"),
        ("河北的中药材精深加工集群在哪个县?", "county", ""),
        ("黑龙江实现零的突破的是哪个集群?", "cluster", ""),
        ("浙江专精特新小巨人企业数量全国第三,那排在全国第一的是哪个省?", "province", ""),
        ("浙江今年新上榜的国家级集群,报道里点名的是哪两个?", "cluster", ""),
        ("2024年度集群名单是工信部用哪个文件发出来的?", "document", ""),
        ("刘贤刚是哪个单位的?", "organisation", ""),
        ("写300个国家级集群那篇稿子的记者是谁?", "author", ""),
        ("按国家的认定标准,集群产值每年平均要增长多少以上?", "growth", ""),
        ("近2年主营业务收入年平均增长率要多少?", "growth", ""),
        ("浙江有多少家小巨人?", None, ""),  # a count of things, whatever they are
        ("国家级特色集群里哪些行业的占比比较高?", None, ""),  # asks for industries, not a share
        ("集群中小企业工业互联网普及率46.7%这个数出自哪份报告?", "document", ""),  # the share is given
        ("工业互联网普及率46.7%这个数是怎么统计的?", None, ""),
    ],
)
def test_the_kind_of_value_a_question_asks_for(question, kind, attribute):
    intent = analyse(question)
    assert (intent.value_kind.name if intent.value_kind else None) == kind
    assert intent.value_attribute == attribute


def test_value_kinds_recognise_values_as_sources_write_them():
    share, amount = analyse("比例是多少?").value_kind, analyse("产值是多少?").value_kind
    assert has_value(share, "上云比例不低于30%") and has_value(share, "占到两成")
    assert has_value(amount, "年产值规模超500亿元") and has_value(amount, "成为又一个千亿元级产业")
    assert not has_value(amount, "集聚了103家企业") and not has_value(share, "成员单位")
    growth = analyse("产值每年要增长多少?").value_kind
    assert has_value(growth, "产值年均增速高于10%") and has_value(growth, "研发经费年均增长不低于5%")
    assert not has_value(growth, "中小企业产值占集群总产值的比重在70%以上")


def test_entity_kinds_want_a_named_one():
    cluster, document = analyse("是哪个集群?").value_kind, analyse("用哪个文件发的?").value_kind
    organisation, author = analyse("他是哪个单位的?").value_kind, analyse("记者是谁?").value_kind
    assert has_value(cluster, "浙江省嘉善县光电子器件产业集群等9个集群入选")
    assert not has_value(cluster, "黑龙江、宁夏、青海等省份实现集群数量的“零的突破”")
    assert has_value(document, "工业和信息化部印发《关于2024年度中小企业特色产业集群名单的通告》")
    assert has_value(organisation, "中国电子技术标准化研究院副院长刘贤刚介绍")
    assert not has_value(organisation, "针对部分集群数字化转型方面缺乏统一谋划")
    assert has_value(author, "21世纪经济报道记者 缴翼飞 北京报道") and not has_value(author, "孙文凯告诉21世纪经济报道")


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("嘉善光电子器件产业集群里有多少家小巨人?", {"嘉善", "电子器件"}),
        ("东阳的磁性材料集群是哪一年拿到国家级称号的?", {"磁性材料"}),
        ("重庆火锅食材产业集群一年产值多少?", {"食材"}),
        ("浙江今年新上榜的国家级集群,报道里点名的是哪两个?", set()),  # clusters in general
        ("2024年新认定的那批集群里,哪几类产业出现得比较多?", set()),
        ("想申报江苏省级特色集群,得有多少个省级以上创新平台?", set()),
        ("福建各设区市2024年报集群推荐材料的截止时间?", set()),  # a year is no name
        ("宁夏自治区级集群由谁申报?", set()),  # nor a province
    ],
)
def test_a_question_about_one_cluster_names_what_sets_it_apart(question, words):
    assert words <= set(cluster_words(question)) and bool(words) == bool(cluster_words(question))


def test_a_figure_is_bound_to_the_provinces_named_before_it():
    by_value = {f.value: f for f in figures(TOP)}
    assert by_value["23"].places == {"山东", "浙江"}
    assert by_value["8"].places == {"广东", "江苏", "山东", "浙江"}


@pytest.mark.parametrize(
    ("question", "sentence", "ruled_out"),
    [
        ("江苏目前累计有多少个国家级中小企业特色产业集群?", TOP, True),  # 23 is not Jiangsu's; 8 are new ones
        ("浙江目前累计有多少个国家级中小企业特色产业集群?", TOP, False),
        ("江苏今年新增了多少个国家级集群?", TOP, False),
        ("全国一共有多少家专精特新“小巨人”企业?", COUNTY, True),  # a county subset, a share, counties
        ("县一级的专精特新小巨人有多少家?", COUNTY, False),
        ("浙江现在一共有多少家企业?", JIASHAN, True),  # one county's cluster
        ("嘉善光电子器件集群聚集了多少家企业?", JIASHAN, False),
        ("广东今年计划建设多少个国家级集群?", PLAN, True),  # 30个 are provincial
        ("广东今年计划建设多少个省级集群?", PLAN, False),
        ("2025年度名单新认定了多少个集群?", "目前已有29个省份相继制定了2025年省级特色产业集群的培育目标", True),
    ],
)
def test_figures_plainly_about_something_else_are_ruled_out(question, sentence, ruled_out):
    assert only_other_figures(analyse(question), sentence, question) is ruled_out


def test_a_clause_about_another_year_does_not_answer():
    intent = analyse("全国特色产业集群2023年的总产值是多少?")
    assert other_year(intent, "2022年产值超过2.5万亿元")
    assert not other_year(intent, "2023年产值超过3万亿元") and not other_year(intent, OUTPUT.split(",")[1])


@pytest.mark.parametrize(
    ("question", "qtype", "nationwide"),
    [
        ("陕西省级集群由谁申报?", "who", False),  # 申报 alone would make it a condition question
        ("按国家的认定标准,集群产值每年平均要增长多少以上?", "number", True),
        ("集群里国家高新技术企业要有几家?", "number", False),  # an enterprise's title, not the national programme
    ],
)
def test_what_a_question_asks_and_at_which_level(question, qtype, nationwide):
    intent = analyse(question)
    assert intent.type == qtype and intent.nationwide == nationwide


def test_a_span_from_the_asked_year_into_the_next_answers_for_the_asked_year():
    from assistant.answering.extractive import holds_answer

    question = "2022年度集群名单公示期是从哪天到哪天？"
    intent = analyse(question)
    assert holds_answer(intent, "这份名单此前已于2022年12月29日至2023年1月5日在网上公示。", question)
    assert not holds_answer(intent, "2023年度名单于2023年9月20日至9月26日在网上公示。", question)
