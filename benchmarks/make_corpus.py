#!/usr/bin/env python3
"""Write N synthetic notices in the text format of data/notices/xm-2025-38.txt, for benchmarks and tests.

    python benchmarks/make_corpus.py 1000 [--seed 0] [--out benchmarks/out/corpus-1000]

OUT gets ``notices/*.txt`` and a copy of the curated YAML of ``data/`` (registry, topics, annotations), so
``reformkg build --data OUT`` runs the whole pipeline on it. Every trap of the real notice occurs: an
issuing-office heading, a 文号, a title with a stray space, a body commending the lead units with a page
break inside one name, 附件 1/2 tables whose header repeats, units separated by ``，`` ``,`` ``、``, HTML
fragments in some description cells, action points 一是…N是, figures with 万/亿, qualifiers and 截至…月底
dates, a sign-off date, a distribution list with elliptical coordination and a print line.

Xiamen notices (other years than the real one) write agencies under the curated names and aliases of
``data/agencies.yaml``; notices of other Fujian cities use short names (市税务局, 鼓楼区政府) that the
registry does not know, so their agencies are provisional and scoped by their city.

Deterministic: the same N and seed give the same bytes, and the first k notices of a corpus of N are the
corpus of k (notice i depends only on the seed and i).
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CURATED = ("agencies.yaml", "cities.yaml", "districts.yaml", "topics.yaml")
YEARS = tuple(range(2016, 2026))
REAL_NOTICE = ("xiamen", 2025, 38)  # data/notices/xm-2025-38.txt: never generated


@dataclass(frozen=True)
class City:
    slug: str
    name: str  # 福州市
    short: str  # 福州
    office: str  # 榕政办 (the 文号 prefix)
    prefix: str  # file name prefix
    districts: tuple[str, ...]
    district_word: str = "区级"  # the 附件 2 heading: 区级 or 区县级


OTHER_CITIES = (
    City("fuzhou", "福州市", "福州", "榕政办", "fz", ("鼓楼区", "台江区", "仓山区", "晋安区", "马尾区", "长乐区", "闽侯县"),
         "区县级"),
    City("quanzhou", "泉州市", "泉州", "泉政办", "qz", ("鲤城区", "丰泽区", "洛江区", "泉港区", "惠安县", "安溪县"), "区县级"),
    City("zhangzhou", "漳州市", "漳州", "漳政办", "zz", ("芗城区", "龙文区", "龙海区", "长泰区", "漳浦县")),
    City("putian", "莆田市", "莆田", "莆政办", "pt", ("城厢区", "涵江区", "荔城区", "秀屿区", "仙游县")),
    City("sanming", "三明市", "三明", "明政办", "sm", ("三元区", "尤溪县", "将乐县")),
    City("nanping", "南平市", "南平", "南政办", "np", ("延平区", "建阳区", "顺昌县")),
    City("longyan", "龙岩市", "龙岩", "龙政办", "ly", ("新罗区", "永定区", "上杭县")),
    City("ningde", "宁德市", "宁德", "宁政办", "nd", ("蕉城区", "霞浦县", "古田县")),
)
XIAMEN = City("xiamen", "厦门市", "厦门", "厦府办", "xm", ("思明区", "海沧区", "湖里区", "集美区", "同安区", "翔安区"))

# Short names of another city's departments, as its notices write them (none is in the registry).
CITY_UNITS = ("市市场监管局", "市税务局", "市发改委", "市人社局", "市资源规划局", "市住建局", "市交通局", "市商务局",
              "市科技局", "市司法局", "市中级法院", "市数据管理局", "市委金融办", "市总工会", "市工信局", "市公安局",
              "市生态环境局", "市卫健委", "市文旅局", "市农业农村局", "市医保局", "市城管局")
CITY_UNITS_OF = ("{short}海关", "国网{short}供电公司", "人民银行{short}市分行", "{short}金融监管局", "{short}港口管理局")
DISTRICT_UNITS = ("法院", "税务局", "市场监管局", "司法局", "人社局", "商务局")
DISTRIBUTION_PAIRS = (("市委社会工作部", "金融办"), ("市人大法制委", "社会委"), ("市委办公室", "政法委"))

VERBS = ("创新", "打造", "构建", "深化", "推行", "探索", "建立", "全面推进", "率先实施", "优化")
OBJECTS = ("经营主体高效退出", "水电气网联合报装", "不动产登记“云窗口”", "跨境贸易便利化", "涉企纠纷多元化解",
           "科技信贷", "绿电交易", "企业开办“一网通办”", "工程建设项目审批", "信用修复", "破产府院联动",
           "知识产权质押融资", "“证照分离”改革", "数据要素流通", "“高效办成一件事”", "新就业形态劳动者权益保障",
           "锂电池出口", "社保“汇智中枢”", "台商台胞金融信用", "执前扣划", "“拿地即开工”", "政务服务“跨省通办”",
           "惠企政策“免申即享”", "中小微企业融资", "“互联网+监管”")
ENDINGS = ("新机制", "服务体系", "新模式", "全链条服务", "集成改革", "协作机制", "一站式服务", "应用场景")
LEADS_IN = ("法治引领，", "聚焦企业关切，", "数字赋能，", "", "", "", "", "")
ACTIONS = ("建立信息共享机制，破除部门间数据壁垒", "推行“一表申请、并联审批”，实现一次申报、一次办结",
           "聚焦重点环节，制定标准化操作指引", "强化部门协同，定期会商解决疑难问题", "拓展应用场景，推动改革成果向全市推广",
           "完善风险审查，审慎防范虚假诉讼", "搭建线上服务平台，实现全程网办", "优化审批流程，压减办理环节和材料",
           "建立联席会议制度，及时会商协作处置", "引导金融机构开辟绿色通道、降低融资利率", "推行容缺受理，提供帮办代办服务",
           "整合政策资源，推动惠企政策精准直达")
INTROS = ("针对经营主体反映的痛点难点问题，系统推进改革。", "以企业需求为导向，持续优化服务供给。",
          "围绕企业全生命周期，打造便利高效的服务体系。", "聚焦改革关键环节，创新工作机制。")


def _figures(rng: random.Random, k: int) -> list[str]:
    """k outcome clauses with a figure each: magnitudes 万/亿, qualifiers, units and change words."""
    n = rng.randint(2, 9999)
    small = f"{rng.randint(1, 99)}.{rng.randint(1, 99)}"
    return rng.sample((
        f"已办理相关业务{n}件",
        f"累计服务企业{rng.randint(1, 40)}.{rng.randint(1, 9)}万余户",
        f"交易规模达{small}亿千瓦时",
        f"贷款余额{rng.randint(100, 9000)}亿元",
        f"累计提供服务超{n}人次",
        f"平均办理时间压缩至{rng.randint(1, 5)}个工作日以内",
        f"同比下降{rng.randint(0, 3)}.{rng.randint(1, 99)}个百分点",
        f"占比提升至{small}%",
        f"惠及企业{n}多家",
        f"帮助企业获得融资约{small}亿元",
        f"化解纠纷{rng.randint(10, 900)}余件",
        f"节省企业成本{rng.randint(100, 9000)}万元以上",
        f"审批时限缩短{rng.randint(2, 60)}天以上",
    ), k)


def _outcome(rng: random.Random, year: int) -> str:
    month = rng.choice((6, 9, 10, 11))
    clauses = "，".join(_figures(rng, rng.choice((1, 1, 2, 2, 3))))
    if rng.random() < 0.75:
        return f"截至{year}年{month}月底，{clauses}。"
    return f"{year}年1月至{month}月底，{clauses}。"


def _description(rng: random.Random, year: int) -> str:
    """A description cell: plain text, <b>一是</b> marks, or <p> paragraphs, with an outcome sentence."""
    ordinals = "一二三四五六"
    actions = rng.sample(ACTIONS, rng.choice((2, 3, 3, 3, 4)))
    intro, outcome = rng.choice(INTROS), _outcome(rng, year)
    style = rng.random()
    if style < 0.5:
        return intro + "".join(f"{ordinals[k]}是{a}。" for k, a in enumerate(actions)) + outcome
    if style < 0.75:
        spaced = outcome.replace(f"{year}年", f" {year} 年 ").replace("月底", " 月底")
        return intro + "".join(f" <b>{ordinals[k]}是</b> {a}。" for k, a in enumerate(actions)) + spaced
    body = "".join(f"<p><b>{ordinals[k]}是</b>{a}。</p> " for k, a in enumerate(actions))
    return f"<p>{intro}</p> {body}<p>{outcome}</p>"


def _title(rng: random.Random) -> str:
    return rng.choice(LEADS_IN) + rng.choice(VERBS) + rng.choice(OBJECTS) + rng.choice(ENDINGS)


class Units:
    """The names a city's notices write its units under."""

    def __init__(self, city: City, registry: list[dict]):
        self.city = city
        if city.slug == "xiamen":
            own = [a for a in registry if a["city"] == "xiamen"]
            skip = {"general-office", "municipal-government"}
            self.city_level = [a["names"] for a in own if not a.get("district") and a["slug"] not in skip]
            self.district_gov = {d: next(a["names"] for a in own if a["slug"].endswith("-government")
                                         and a["name_zh"].startswith("厦门市" + d)) for d in city.districts}
            self.district_other = {d: [a["names"] for a in own if a.get("district") and a["name_zh"].find(d) >= 0
                                       and not a["slug"].endswith("-government")] for d in city.districts}
        else:
            self.city_level = [[n] for n in CITY_UNITS] + [[t.format(short=city.short)] for t in CITY_UNITS_OF]
            self.district_gov = {d: [d + "政府"] for d in city.districts}
            self.district_other = {d: [[d + u] for u in DISTRICT_UNITS] for d in city.districts}

    def measure_units(self, rng: random.Random, district: str | None) -> list[str]:
        """Distinct agencies (never two names of one), each written under one of its names."""
        count = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
        if district:
            lead = self.district_gov[district]
            pool = self.district_other[district] + rng.sample(self.city_level, 3)
        else:
            lead, pool = None, list(self.city_level)
        chosen = ([lead] if lead else []) + rng.sample(pool, count - (1 if lead else 0))
        return [self._name(rng, names) for names in chosen]

    def _name(self, rng: random.Random, names: list[str]) -> str:
        short = [n for n in names if len(n) <= 8] or names
        return rng.choice(short if rng.random() < 0.8 else names)


def _units_cell(rng: random.Random, units: list[str]) -> str:
    if len(units) == 1:
        return units[0]
    return units[0] + rng.choice(("，", ",", ", ", "、")) + "、".join(units[1:])


def _table(rng: random.Random, rows: list[tuple[str, str, str]]) -> list[str]:
    header = "序号\t创新举措\t单位名称\t具体做法及成效"
    lines = [header]
    page = rng.randint(2, 4)
    for rank, (title, units, description) in enumerate(rows, 1):
        if rank > 1 and (rank - 1) % page == 0:  # a page break repeats the header
            lines += ["", header]
        lines.append(f"{rank}\t{title}\t{units}\t{description}")
    return lines


def _commended(rng: random.Random, leads: list[str]) -> str:
    """Every distinct lead unit, once, with a page break inside one long name (集美 ⏎⏎ 区政府)."""
    distinct = list(dict.fromkeys(leads))
    text = "、".join(distinct)
    long = [n for n in distinct if len(n) >= 4]
    if long:
        name = rng.choice(long)
        at = text.index(name) + 2
        text = text[:at] + "\n\n" + text[at:]
    return text


def _distribution(rng: random.Random, units: Units) -> str:
    """Six units, then two elliptical pairs (市委社会工作部、金融办 = 市委社会工作部 and 市委金融办).

    Party and congress organs go last: after one of them, a name the registry does not know and that
    does not start with its own level (福州海关) would be read as elliptical (市委福州海关).
    """
    names = [units._name(rng, n) for n in rng.sample(units.city_level, 6)]
    names.sort(key=lambda name: name.startswith(("市委", "市人大")))
    groups = ["、".join(names[:3]), "、".join(names[3:])]
    for first, second in rng.sample(DISTRIBUTION_PAIRS, 2):
        if units.city.slug == "xiamen" and first == "市委办公室":
            continue  # Xiamen's registry has no party office: keep its notices fully curated
        groups.append(f"{first}、{second}")
    return "，".join(groups) + "。"


def notice_text(rng: random.Random, city: City, year: int, number: int, registry: list[dict]) -> str:
    units = Units(city, registry)
    issuer = f"{city.name}人民政府办公厅"
    n_city, n_district = rng.randint(8, 12), rng.randint(8, 12)
    city_rows, district_rows, leads = [], [], []
    for _ in range(n_city):
        names = units.measure_units(rng, None)
        leads.append(names[0])
        city_rows.append((_title(rng), _units_cell(rng, names), _description(rng, year)))
    for _ in range(n_district):
        names = units.measure_units(rng, rng.choice(city.districts))
        leads.append(names[0])
        district_rows.append((_title(rng), _units_cell(rng, names), _description(rng, year)))
    month, day = rng.randint(9, 12), rng.randint(1, 28)
    printed = min(day + rng.randint(1, 6), 28)
    lists = ("市级", city.district_word)
    lines = [
        "", "", f"# {issuer}文件", "", f"{city.office}〔{year}〕{number}号", "",
        f"## {issuer}关于{year}年度 市区营商环境优秀创新举措的通报", "",
        "各区人民政府，市直各委、办、局，各开发区管委会，各有关单位：", "",
        f"为提升营商环境创新举措的知晓度和经营主体的获得感，现将我市{year}年度营商环境优秀创新举措予以通报，"
        f"“{city_rows[0][0]}”等{n_city}项改革举措为市级优秀创新举措，“{district_rows[0][0]}”等{n_district}项改革举措"
        f"为区级优秀创新举措。同时，对创新举措牵头单位{_commended(rng, leads)}等予以通报表扬。", "",
        "受到表扬的单位要再接再厉，再创佳绩。", "",
        f"附件：1. {city.name} {year} 年度{lists[0]}营商环境优秀创新举措名单  ",
        f"2. {city.name} {year} 年度{lists[1]}营商环境优秀创新举措名单", "",
        issuer, "", f"{year} 年 {month} 月 {day} 日", "", "(此件主动公开)", "",
    ]
    for k, (level, rows) in enumerate(((lists[0], city_rows), (lists[1], district_rows)), 1):
        lines += [f"## 附件 {k}", "", f"### {city.name} {year} 年度{level}营商环境优秀创新举措名单", ""]
        lines += _table(rng, rows) + [""]
        if k == 1:
            lines += ["(备注：以上名单按福建省营商环境监测督导指标体系先后排序。)", ""]
    lines += ["---", "", "有关单位：" + _distribution(rng, units), "", "---", "", issuer, "",
              f"{year}年{month}月{printed}日印发", ""]
    return "\n".join(lines)


def _registry(data_dir: Path) -> list[dict]:
    agencies = yaml.safe_load((data_dir / "agencies.yaml").read_text(encoding="utf-8"))
    for a in agencies:
        a["names"] = list(dict.fromkeys([a["name_zh"], *a.get("aliases", [])]))
    return agencies


def plan(n: int, seed: int) -> list[tuple[City, int, int]]:
    """(city, year, number) of each notice, drawn in order so a corpus of k is a prefix of one of n."""
    rng = random.Random(f"plan:{seed}")
    used = {REAL_NOTICE}
    out = []
    for i in range(n):
        city = XIAMEN if i % 3 == 0 else rng.choice(OTHER_CITIES)
        year = rng.choice(YEARS)
        number = rng.randint(1, 199)
        while (city.slug, year, number) in used:
            number += 1
        used.add((city.slug, year, number))
        out.append((city, year, number))
    return out


def write_corpus(n: int, out: Path, seed: int = 0, data_dir: Path = DATA) -> list[Path]:
    """Write OUT/notices/*.txt (any previous ones removed) and copy the curated YAML beside them."""
    out = Path(out)
    notices = out / "notices"
    notices.mkdir(parents=True, exist_ok=True)
    for old in notices.glob("*.txt"):
        old.unlink()
    for name in CURATED:
        shutil.copyfile(data_dir / name, out / name)
    shutil.rmtree(out / "measures", ignore_errors=True)
    shutil.copytree(data_dir / "measures", out / "measures")
    registry = _registry(data_dir)
    written = []
    for i, (city, year, number) in enumerate(plan(n, seed)):
        text = notice_text(random.Random(f"{seed}:{i}"), city, year, number, registry)
        path = notices / f"{city.prefix}-{year}-{number}.txt"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of notices")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default benchmarks/out/corpus-N)")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "benchmarks" / "out" / f"corpus-{args.n}"
    written = write_corpus(args.n, out, args.seed)
    print(f"wrote {len(written)} notices to {out / 'notices'}; build with: reformkg build --data {out}")


if __name__ == "__main__":
    main()
