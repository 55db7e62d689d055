"""Name resolution: scoped by city, elliptical coordination expanded, variants of one name merged."""

from __future__ import annotations

import pytest

from conftest import ROOT
from reformkg.registry import load_registry
from reformkg.resolve import CityRef, Resolver

XIAMEN = CityRef("xiamen", "厦门市", "Xiamen", "350200", False)
FUZHOU = CityRef("fuzhou", "福州市", None, None, True)


@pytest.fixture()
def resolver():
    return Resolver(load_registry(ROOT / "data"))


@pytest.mark.parametrize("city,written,expanded", [
    # 厦府办〔2025〕38号 有关单位: organ ellipses
    (XIAMEN, ("市委社会工作部", "金融办", "市人大法制委", "社会委"), ["市委社会工作部", "市委金融办", "市人大法制委", "市人大社会委"]),
    # complete names are left alone, even after a prefixed one
    (XIAMEN, ("市政集团", "火炬集团", "厦门海关"), ["市政集团", "火炬集团", "厦门海关"]),
    # an uncurated city: bare department names take the place of the name before them
    (FUZHOU, ("市发改委", "工信局", "商务局", "福州海关"), ["市发改委", "市工信局", "市商务局", "福州海关"]),
    (FUZHOU, ("鼓楼区发改局", "财政局"), ["鼓楼区发改局", "鼓楼区财政局"]),
])
def test_elliptical_distribution_lists(resolver, city, written, expanded):
    assert resolver.expand_distribution(written, city) == expanded


def test_city_prefix_variants_resolve_to_the_curated_agency(resolver):
    from reformkg.notice import parse_notice
    from conftest import NOTICE

    notice = parse_notice(NOTICE)
    a = resolver.agency("厦门市中级法院", XIAMEN, notice)
    b = resolver.agency("市中级法院", XIAMEN, notice)
    c = resolver.agency("厦门市市场监管局", XIAMEN, notice)  # not an alias: 厦门市X ↔ 市X
    assert a is b and a.slug == "intermediate-court"
    assert c.slug == resolver.agency("市市场监管局", XIAMEN, notice).slug and not c.provisional
    assert resolver.provisional == []


def test_same_short_name_in_two_cities_is_two_agencies(resolver):
    from reformkg.notice import parse_notice
    from conftest import NOTICE

    notice = parse_notice(NOTICE)
    xm = resolver.agency("市税务局", XIAMEN, notice)
    fz = resolver.agency("市税务局", FUZHOU, notice)
    assert (xm.city, xm.slug) == ("xiamen", "tax-bureau")
    assert fz.city == "fuzhou" and fz.provisional and fz is not xm
