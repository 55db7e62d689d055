"""Curated enrichment: topic schemes, per-measure annotations checked against the notices, find_mentions."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from reformkg.enrichment import (
    MeasureAnnotation,
    NoticeAnnotations,
    canonical_annotations,
    canonical_topics,
    find_mentions,
    load_annotations,
    load_topics,
)
from reformkg.errors import RegistryError

DATA = Path(__file__).resolve().parent.parent / "data"
ANNOTATION_FILES = sorted((DATA / "measures").glob("*.yaml"))
NUMERALS = "一二三四五六七八九十"


# -- reading the notice directly (independent of the project's parser) -----------------------------

def table_rows(text: str) -> list[tuple[str, int, str, str]]:
    """(level, rank, title, description) of every table row; a list restarts at 序号 1 (附件 1 city, 附件 2 district)."""
    rows: list[tuple[str, int, str, str]] = []
    tables = 0
    for line in text.splitlines():
        if line.startswith("序号") or not re.match(r"^\d+\t", line):
            continue
        cells = line.split("\t")
        rank = int(cells[0])
        if rank == 1:
            tables += 1
        assert tables in (1, 2), f"unexpected third table at row {line[:40]}"
        rows.append(("city" if tables == 1 else "district", rank, cells[1], cells[3]))
    return rows


def action_markers(description: str) -> int:
    """How many ordinal markers 一是, 二是, … follow each other in order in the description."""
    text = re.sub(r"<[^>]+>", "", description)
    count = 0
    for m in re.finditer(rf"(?<![\u4e00-\u9fff])([{NUMERALS}])是", text):
        if m.group(1) == NUMERALS[count % len(NUMERALS)]:
            count += 1
    return count


def notice_file(doc_number: str) -> Path:
    found = [p for p in sorted((DATA / "notices").glob("*.txt")) if doc_number in p.read_text(encoding="utf-8")]
    assert len(found) == 1, f"expected one notice in data/notices/ with {doc_number}, found {found}"
    return found[0]


def printed_measures(doc_number: str) -> dict[tuple[str, int], tuple[str, str]]:
    rows = table_rows(notice_file(doc_number).read_text(encoding="utf-8"))
    return {(level, rank): (title, desc) for level, rank, title, desc in rows}


# -- the curated files -----------------------------------------------------------------------------

def test_topics_load():
    schemes = {s.id: s for s in load_topics(DATA)}
    assert set(schemes) == {"bready", "fujian"}
    assert [c.id for c in schemes["bready"].concepts] == [
        "business-entry", "business-location", "utility-services", "labor", "financial-services",
        "international-trade", "taxation", "dispute-resolution", "market-competition", "business-insolvency"]
    fujian = schemes["fujian"]
    assert len(fujian.concepts) == 18
    assert fujian.concept("resolving-insolvency").name_zh == "办理破产"
    assert fujian.concept("financing-support").name_zh == "融资支持"
    assert fujian.name_zh == "福建省营商环境监测督导指标体系"


def test_annotations_load():
    annotations = load_annotations(DATA)
    assert len(annotations) == len(ANNOTATION_FILES) >= 1
    xiamen = annotations["厦府办〔2025〕38号"]
    assert xiamen.path == DATA / "measures" / "xiamen-2025-38.yaml"
    assert len(xiamen.measures) == 20


def test_loaders_are_cached():
    assert load_topics(DATA) is load_topics(DATA)
    assert load_annotations(DATA) is load_annotations(DATA)


@pytest.mark.parametrize("path", ANNOTATION_FILES, ids=lambda p: p.name)
def test_every_printed_measure_is_annotated_with_its_exact_title(path):
    notice = yaml.safe_load(path.read_text(encoding="utf-8"))["notice"]
    annotations = load_annotations(DATA)[notice]
    printed = printed_measures(notice)
    assert {m.key for m in annotations.measures} == set(printed)
    assert sum(1 for level, _ in printed if level == "city") == 10
    assert sum(1 for level, _ in printed if level == "district") == 10
    for m in annotations.measures:
        assert m.title_zh == printed[m.key][0], f"{m.level}-{m.rank}"
        assert annotations.measure(m.level, m.rank, printed[m.key][0]) is m


@pytest.mark.parametrize("path", ANNOTATION_FILES, ids=lambda p: p.name)
def test_one_gloss_per_action_point(path):
    notice = yaml.safe_load(path.read_text(encoding="utf-8"))["notice"]
    printed = printed_measures(notice)
    for m in load_annotations(DATA)[notice].measures:
        markers = action_markers(printed[m.key][1])
        assert len(m.actions_en) == markers, f"{m.level}-{m.rank}: {len(m.actions_en)} glosses, {markers} markers"


def test_action_markers_counts_the_real_cases():
    printed = printed_measures("厦府办〔2025〕38号")
    assert action_markers(printed[("city", 3)][1]) == 2  # only 一是 and 二是, in <b> tags
    assert action_markers(printed[("district", 3)][1]) == 3  # 二是 right after 。 inside one paragraph
    assert action_markers("统一是关键。一是甲；二是乙；四是丙") == 2


@pytest.mark.parametrize("path", ANNOTATION_FILES, ids=lambda p: p.name)
def test_every_measure_has_a_topic_from_each_scheme(path):
    notice = yaml.safe_load(path.read_text(encoding="utf-8"))["notice"]
    scheme_ids = {s.id for s in load_topics(DATA)}
    for m in load_annotations(DATA)[notice].measures:
        assert {t.split("/")[0] for t in m.topics} == scheme_ids, f"{m.level}-{m.rank}: {m.topics}"


def test_sample_annotations_literally():
    xiamen = load_annotations(DATA)["厦府办〔2025〕38号"]
    exit_ = xiamen.measure("city", 1)
    assert exit_.title_en == "Building a new mechanism for the efficient exit of business entities"
    assert exit_.topics == ("bready/business-insolvency", "fujian/starting-a-business", "fujian/resolving-insolvency")
    lithium = xiamen.measure("city", 7)
    assert lithium.title_en == "An innovative integrated service system for lithium battery exports"
    assert lithium.topics == ("bready/international-trade", "fujian/trading-across-borders")
    disputes = xiamen.measure("district", 10)
    assert disputes.title_en == ("An innovative '1+1+1' government-court linkage mechanism for the substantive "
                                 "resolution of cross-regional administrative disputes")
    assert disputes.topics == ("bready/dispute-resolution", "fujian/judicial-and-administrative-enforcement")
    assert len(xiamen.measure("city", 3).actions_en) == 2


def test_curated_files_are_in_canonical_form():
    fix = ("rewrite it with: .venv/bin/python -c \"from pathlib import Path; from reformkg import enrichment as e; "
           "p = Path('{path}'); p.write_text({call}, encoding='utf-8')\"")
    topics = DATA / "topics.yaml"
    assert topics.read_text(encoding="utf-8") == canonical_topics(DATA), fix.format(
        path=topics, call="e.canonical_topics(Path('data'))")
    for path in ANNOTATION_FILES:
        assert path.read_text(encoding="utf-8") == canonical_annotations(path, load_topics(DATA)), fix.format(
            path=path, call="e.canonical_annotations(p, e.load_topics(Path('data')))")


# -- errors name the file and the key ----------------------------------------------------------------

@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    shutil.copy(DATA / "topics.yaml", tmp_path / "topics.yaml")
    shutil.copytree(DATA / "measures", tmp_path / "measures")
    return tmp_path


def _edit_first_measure(path: Path, **changes) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["measures"][0].update(changes)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def test_unknown_key_in_annotations_names_key_and_file(data_copy):
    path = data_copy / "measures" / "xiamen-2025-38.yaml"
    _edit_first_measure(path, colour="red")
    with pytest.raises(RegistryError) as info:
        load_annotations(data_copy)
    assert "colour" in str(info.value) and "xiamen-2025-38.yaml" in str(info.value)
    assert "city-1" in str(info.value)
    assert info.value.path == path and info.value.line is not None
    assert "colour" in path.read_text(encoding="utf-8").splitlines()[info.value.line - 1]


def test_unknown_key_in_topics_names_key_and_file(data_copy):
    raw = yaml.safe_load((data_copy / "topics.yaml").read_text(encoding="utf-8"))
    raw[1]["concepts"][2]["broader"] = "x"
    (data_copy / "topics.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_topics(data_copy)
    message = str(info.value)
    assert "broader" in message and "topics.yaml" in message and "fujian" in message


@pytest.mark.parametrize("changes, expected", [
    ({"level": "province"}, "level"),
    ({"rank": 0}, "rank"),
    ({"topics": ["bready/no-such-topic", "fujian/paying-taxes"]}, "bready/no-such-topic"),
    ({"topics": ["oecd/taxation", "fujian/paying-taxes"]}, "oecd/taxation"),
    ({"topics": "bready taxation"}, "topics"),
])
def test_bad_values_name_key_and_file(data_copy, changes, expected):
    _edit_first_measure(data_copy / "measures" / "xiamen-2025-38.yaml", **changes)
    with pytest.raises(RegistryError) as info:
        load_annotations(data_copy)
    assert expected in str(info.value) and "xiamen-2025-38.yaml" in str(info.value)


def test_title_mismatch_with_the_notice_is_an_error(data_copy):
    notice = load_annotations(data_copy)["厦府办〔2025〕38号"]
    with pytest.raises(RegistryError, match="differs from the printed title"):
        notice.measure("city", 1, "构建经营主体退出新机制")
    assert notice.measure("city", 99, "无") is None


def test_duplicate_measure_is_an_error():
    m = MeasureAnnotation(level="city", rank=1, title_zh="甲", title_en="A", summary_en="S.", topics=("bready/labor",))
    with pytest.raises(ValueError, match="annotated twice"):
        NoticeAnnotations(notice="x", measures=(m, m))


# -- find_mentions --------------------------------------------------------------------------------

NAMES = {
    "厦门市中级法院": "court",
    "市中级法院": "court",
    "中级法院": "other-court",
    "市税务局": "tax",
    "税务局": "other-tax",
    "厦门海关": "customs",
    "海关": "other-customs",
}


def test_find_mentions_longest_first_and_not_inside_a_longer_match():
    assert find_mentions("厦门市中级法院成功办理", NAMES) == ["court"]
    assert find_mentions("依托厦门海关与市税务局", NAMES) == ["customs", "tax"]


def test_find_mentions_order_of_first_occurrence_each_once():
    text = "市税务局会同厦门海关；中级法院、市税务局再次协作，海关参与"
    assert find_mentions(text, NAMES) == ["tax", "customs", "other-court", "other-customs"]


def test_find_mentions_longest_wins_a_partial_overlap():
    # 甲乙 and 乙丙丁 overlap on 乙: the longer name is matched, the shorter one is left out.
    assert find_mentions("甲乙丙丁", {"甲乙": "a", "乙丙丁": "b"}) == ["b"]
    assert find_mentions("甲乙丙丁甲乙", {"甲乙": "a", "乙丙丁": "b"}) == ["b", "a"]


def test_find_mentions_ignores_line_wrap_spaces_and_empty_input():
    assert find_mentions("集美\n\n区政府牵头", {"集美区政府": "jimei"}) == ["jimei"]
    assert find_mentions("", NAMES) == []
    assert find_mentions("没有单位", {}) == []


def test_find_mentions_on_the_real_notice_is_fast():
    import time

    text = notice_file("厦府办〔2025〕38号").read_text(encoding="utf-8")
    names = {f"单位{i:04d}": f"k{i}" for i in range(2000)} | NAMES
    start = time.perf_counter()
    for _ in range(20):
        found = find_mentions(text, names)
    assert time.perf_counter() - start < 2.0
    assert found[:2] == ["court", "tax"]


@pytest.mark.parametrize("text, expected", [
    ("中国证监会厦门监管局发布", []),          # 厦门监管局 glued to another organisation's name
    ("厦门市政府采购中心发布公告", []),        # 厦门市政府 continued into a longer name
    ("经厦门市政府同意", ["gov"]),
    ("厦门市中级法院成功办理", ["court"]),     # a verb after the name is not a longer name
    ("市税务局和厦门监管局联合", ["tax", "nfra"]),
])
def test_find_mentions_ignores_pieces_of_longer_names(text, expected):
    names = {"厦门监管局": "nfra", "厦门市政府": "gov", "市税务局": "tax", "厦门市中级法院": "court"}
    assert find_mentions(text, names) == expected
