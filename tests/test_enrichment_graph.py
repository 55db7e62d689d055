"""Curated English, topics and mentions as they land in the graph; uncurated notices still build."""

from __future__ import annotations

import shutil

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from conftest import ROOT
from reformkg.iris import DEFAULT_BASE
from reformkg.namespaces import CV, RK

M = DEFAULT_BASE + "measure/xiamen-2025-38/"


def english(graph, node):
    return [str(o) for o in graph.objects(node, SKOS.prefLabel) if o.language == "en"]


def test_every_measure_has_english_title_summary_and_topics_in_both_schemes(graph):
    measures = list(graph.subjects(RDF.type, RK.Measure))
    assert len(measures) == 20
    for m in measures:
        assert len(english(graph, m)) == 1
        assert any(o.language == "en" for o in graph.objects(m, RK.summary))
        topics = {str(t) for t in graph.objects(m, RK.topic)}
        assert any("/topic/bready/" in t for t in topics) and any("/topic/fujian/" in t for t in topics)
        assert topics == {str(t) for t in graph.objects(m, CV.thematicArea)}
        for action in graph.objects(m, RK.hasAction):
            assert {t.language for t in graph.objects(action, RK.text)} == {"zh", "en"}


def test_sample_of_the_curated_english(graph):
    m = URIRef(M + "city-07")
    assert english(graph, m) == ["An innovative integrated service system for lithium battery exports"]
    assert set(graph.objects(m, RK.topic)) == {URIRef(DEFAULT_BASE + "topic/bready/international-trade"),
                                               URIRef(DEFAULT_BASE + "topic/fujian/trading-across-borders")}


def test_topic_schemes_are_skos(graph):
    scheme = URIRef(DEFAULT_BASE + "topic/bready")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    concepts = set(graph.objects(scheme, SKOS.hasTopConcept))
    assert len(concepts) == 10
    for c in concepts:
        assert {o.language for o in graph.objects(c, SKOS.prefLabel)} == {"zh", "en"}


def test_mentions_link_organisations_named_in_descriptions(graph):
    # district 5: "协同厦门农商银行等金融机构" — a bank named in the text, not among the units
    bank = URIRef(DEFAULT_BASE + "agency/xiamen/xiamen-rural-commercial-bank")
    assert list(graph.subjects(RK.mentions, bank)) == [URIRef(M + "district-05")]
    # a unit named in its own description is not a mention (福建电力交易中心 in city 3)
    assert set(graph.objects(URIRef(M + "city-03"), RK.mentions)) == set()


def test_a_notice_without_curation_builds_with_a_warning_and_strict_refuses(tmp_path):
    from reformkg.build import build
    from reformkg.errors import ResolutionError

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "measures" / "xiamen-2025-38.yaml").unlink()
    result = build(data, out_dir=tmp_path / "out")
    missing = [w for w in result.warnings if w.startswith("no curated English/topics")]
    assert len(missing) == 20
    assert result.graph.value(URIRef(DEFAULT_BASE + "notice/xiamen-2025-38"), RK.curated) is None
    with pytest.raises(ResolutionError, match="no curated English/topics for 厦府办〔2025〕38号 city-01"):
        build(data, out_dir=tmp_path / "strict", strict=True)


def test_wrong_key_fails_the_build(tmp_path):
    from reformkg.build import build
    from reformkg.errors import RegistryError

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "measures" / "xiamen-2025-38.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  rank: 7\n", "  rank: 77\n", 1).replace("  rank: 8\n", "  rank: 7\n", 1)
                    .replace("  rank: 77\n", "  rank: 8\n", 1), encoding="utf-8")
    with pytest.raises(RegistryError, match="differs from the printed title"):
        build(data, out_dir=tmp_path / "out")
