"""Parse a recognition notice (通报) of the 厦府办〔2025〕38号 shape into plain records.

The parser knows the *format*, not one file: a heading with the issuing office, a 文号, a title, a
body that commends lead units, appendices whose heading says the level (市级 / 区级), tab-separated
tables (序号 ⇥ 创新举措 ⇥ 单位名称 ⇥ 具体做法及成效) whose header may repeat at page breaks, a sign-off
date, a distribution list (有关单位) and a print line (…印发). Names are resolved later (resolve.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import NoticeFormatError
from .text import SourceText, ascii_digits, compact, date_digits, join_wrapped, read_source, strip_html

DOC_NUMBER = re.compile(r"^\s*(?P<office>[^\s〔\[（(]+)\s*[〔\[（(]\s*(?P<year>[0-9０-９]{4})\s*[〕\]）)]\s*"
                        r"(?P<number>[0-9０-９]+)\s*号\s*$")
DATE = re.compile(r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日")
ORDINALS = "一二三四五六七八九十"
ACTION_MARK = re.compile(rf"(?:^|(?<=[。；;：:！!\s]))(?P<ord>[{ORDINALS}]{{1,3}})是")
OUTCOME_START = re.compile(r"(?:截至|截止|自\s*[0-9]{4}\s*年|[0-9]{4}\s*年\s*[0-9]{1,2}\s*月\s*至)")
TITLE_END = re.compile(r"(?:通报|通知|决定|通告|意见|批复|函|公告|名单)$")
UNIT_SEPARATORS = re.compile(r"[，,、；;]")
LEVELS = (("区县级", "district"), ("县级", "district"), ("区级", "district"), ("市级", "city"))
# Header words per column, most specific first; keys are matched in this order and the generic
# 名称 last, so 单位名称 is never taken for the title column.
COLUMNS = {"rank": ("序号", "编号"),
           "units": ("单位名称", "牵头单位", "责任单位", "申报单位", "单位"),
           "description": ("具体做法及成效", "主要做法及成效", "做法及成效", "具体做法", "主要做法", "成效", "做法",
                           "简介", "内容"),
           "title": ("创新举措", "举措名称", "改革举措", "举措", "名称", "项目")}


@dataclass(frozen=True)
class Action:
    order: int
    text: str


@dataclass(frozen=True)
class MeasureRow:
    """One table row: a recognised measure as printed."""

    level: str  # "city" | "district"
    rank: int
    title: str
    units: tuple[str, ...]  # first = lead
    description_html: str
    description: str
    actions: tuple[Action, ...]
    line: int

    @property
    def lead(self) -> str:
        return self.units[0]

    @property
    def cooperating(self) -> tuple[str, ...]:
        return self.units[1:]


@dataclass(frozen=True)
class Notice:
    path: Path
    encoding: str
    issuer: str  # 厦门市人民政府办公厅
    city_name: str  # 厦门市
    doc_number: str  # 厦府办〔2025〕38号, exactly as printed
    year: int
    number: int
    title: str
    commended: tuple[str, ...]
    commended_line: int | None
    issued: dt.date
    printed: dt.date | None
    distributed: tuple[str, ...]  # as written, ellipses not yet expanded (needs the registry)
    distributed_line: int | None
    measures: tuple[MeasureRow, ...] = field(default_factory=tuple)


def parse_notice(path: Path) -> Notice:
    """Read and parse one notice file; every format error names the file and line."""
    return parse_text(read_source(Path(path)))


def parse_text(source: SourceText) -> Notice:
    lines = source.text.split("\n")
    p = _Parser(source.path, lines)
    issuer = p.issuer()
    doc_line, doc = p.doc_number()
    title = p.title(doc_line)
    measures = p.tables()
    if not measures:
        raise NoticeFormatError("no measure table found (expected an appendix with a tab-separated table "
                                "whose header starts with 序号)", path=source.path)
    _check_unique_ranks(measures, source.path)
    return Notice(
        path=source.path,
        encoding=source.encoding,
        issuer=issuer,
        city_name=_city_of(issuer, source.path),
        doc_number=doc.group(0).strip(),
        year=int(ascii_digits(doc["year"])),
        number=int(ascii_digits(doc["number"])),
        title=title,
        commended=(commended := p.commended()),
        commended_line=p.line_of(commended[0]) if commended else None,
        issued=p.issued(),
        printed=p.printed(),
        distributed=(distributed := p.distribution()),
        distributed_line=p.line_of(distributed[0], p.appendix_start) if distributed else None,
        measures=tuple(measures),
    )


def _city_of(issuer: str, path: Path) -> str:
    # the scope that short names (市税务局, 省税务局) are relative to: a city, else a prefecture or province
    match = re.match(r"^(?:中共)?(.+?市)", issuer) or re.match(r"^(?:中共)?(.+?(?:自治州|州|盟|地区|自治区|省))", issuer)
    if not match:
        raise NoticeFormatError(f"cannot tell the city from the issuing office '{issuer}' "
                                "(expected a name like 厦门市人民政府办公厅)", path=path, line=1)
    return match.group(1)


def _check_unique_ranks(measures: list[MeasureRow], path: Path) -> None:
    seen: dict[tuple[str, int], int] = {}
    for m in measures:
        key = (m.level, m.rank)
        if key in seen:
            raise NoticeFormatError(f"duplicate 序号 {m.rank} in the {m.level}-level list "
                                    f"(first at line {seen[key]})", path=path, line=m.line)
        seen[key] = m.line


class _Parser:
    """Line-oriented reading of one notice; keeps the path for error messages."""

    def __init__(self, path: Path, lines: list[str]):
        self.path = path
        self.lines = lines
        self._converted: dict[int, str] = {}
        self.appendix_start = next((i for i, line in enumerate(lines) if _is_appendix_heading(line)), len(lines))

    def error(self, message: str, index: int | None = None) -> NoticeFormatError:
        return NoticeFormatError(message, path=self.path, line=None if index is None else index + 1)

    def _digits(self, i: int) -> str:
        """Line ``i`` with its dates in Arabic digits, converted once (several searches scan the tables)."""
        found = self._converted.get(i)
        if found is None:
            found = self._converted[i] = date_digits(self.lines[i])
        return found

    def _first(self, pattern: re.Pattern, start: int = 0, stop: int | None = None):
        for i in range(start, len(self.lines) if stop is None else stop):
            match = pattern.search(self._digits(i))
            if match:
                return i, match
        return None, None

    def issuer(self) -> str:
        for line in self.lines:
            text = line.strip().lstrip("#").strip()
            if text:
                if not text.endswith("文件"):
                    break
                return text.removesuffix("文件").strip()
        raise self.error("expected the issuing office heading (e.g. 厦门市人民政府办公厅文件) on the first line", 0)

    def doc_number(self) -> tuple[int, re.Match]:
        for i, line in enumerate(self.lines[: self.appendix_start]):
            match = DOC_NUMBER.match(line)
            if match:
                return i, match
        raise self.error("no document number (文号) found: expected a line like 厦府办〔2025〕38号")

    def title(self, after: int) -> str:
        """The title line, joined with its wrapped continuation until it ends like a title (…的通报)."""
        parts: list[str] = []
        for i in range(after + 1, self.appendix_start):
            text = self.lines[i].strip().lstrip("#").strip()
            if not text:
                continue
            if parts and (text.endswith(("：", ":")) or len(text) > 60):
                break  # the addressees or the body: the title has ended
            parts.append(text)
            if TITLE_END.search(text) or len(parts) == 3:
                break
        if not parts:
            raise self.error("expected the notice title after the document number", after)
        return join_wrapped(" ".join(parts))

    def body(self) -> str:
        """The body up to the sign-off, with page-break and line-wrap spaces joined."""
        end = self._signoff_index() or self.appendix_start
        return compact("".join(self.lines[:end]))

    def commended(self) -> tuple[str, ...]:
        match = re.search(r"(?:牵头单位|对)(?P<list>[^。；]*?)(?:等(?:单位)?)?(?:予以|给予)(?:通报)?(?:表扬|表彰)",
                          self.body())
        if not match:
            return ()
        names = match["list"]
        names = re.sub(r"^.*牵头单位", "", names)
        return tuple(n for n in UNIT_SEPARATORS.split(names) if n)

    def line_of(self, name: str, start: int = 0) -> int | None:
        """The 1-based line where ``name`` (or its first part, before a page break) is written."""
        for i in range(start, len(self.lines)):
            line = compact(self.lines[i])
            if name in line or (len(name) > 2 and line.endswith(name[:2])):
                return i + 1
        return None

    def _signoff_index(self) -> int | None:
        for i in range(self.appendix_start - 1, -1, -1):
            if DATE.fullmatch(date_digits(self.lines[i].strip())):
                return i
        return None

    def issued(self) -> dt.date:
        index = self._signoff_index()
        if index is None:
            raise self.error("no sign-off date found before the appendices (expected a line like 2025年10月31日)")
        return self._date(DATE.fullmatch(date_digits(self.lines[index].strip())), index)

    def printed(self) -> dt.date | None:
        index, match = self._first(re.compile(DATE.pattern + r"\s*印发"), self.appendix_start)
        return None if match is None else self._date(match, index)

    def _date(self, match: re.Match, index: int) -> dt.date:
        try:
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError as exc:
            raise self.error(f"invalid date '{match.group(0)}': {exc}", index) from None

    def distribution(self) -> tuple[str, ...]:
        index, match = self._first(re.compile(r"^\s*(?:有关单位|抄送)\s*[：:]"), self.appendix_start)
        if match is None:
            return ()
        text = self.lines[index][match.end():]
        for nxt in self.lines[index + 1:]:  # the list may wrap over lines until its full stop
            if text.rstrip().endswith("。") or not nxt.strip() or nxt.strip().startswith("---"):
                break
            text += nxt
        return tuple(compact(part) for part in re.split(r"[，,、。]", text) if compact(part))

    def tables(self) -> list[MeasureRow]:
        rows: list[MeasureRow] = []
        level: str | None = None
        columns: dict[str, int] | None = None
        last_row: int | None = None
        for i in range(self.appendix_start, len(self.lines)):
            line = self.lines[i]
            stripped = line.strip()
            if _is_appendix_heading(line):
                level, columns, last_row = None, None, None
                continue
            if stripped.startswith("#") and level is None:
                level = _level_of(stripped)
                continue
            if "\t" in line:
                cells = [c.strip() for c in line.split("\t")]
                if cells[0].startswith("序号"):
                    columns = self._header(cells, i)
                    continue
                if columns is None:
                    raise self.error("table row before any header row (expected 序号 ⇥ 创新举措 ⇥ 单位名称 ⇥ "
                                     "具体做法及成效)", i)
                if level is None:
                    level = self._level_from_context(i)
                rows.append(self._row(cells, columns, level, i))
                last_row = i
                continue
            if stripped and last_row is not None and last_row == i - 1 and not _is_note(stripped):
                rows[-1] = self._continue(rows[-1], stripped)  # a cell wrapped onto the next line
                last_row = i
        return rows

    def _header(self, cells: list[str], index: int) -> dict[str, int]:
        found: dict[str, int] = {}
        for key, names in COLUMNS.items():
            pos = next((pos for name in names for pos, cell in enumerate(cells)
                        if pos not in found.values() and name in cell), None)
            if pos is not None:
                found[key] = pos
        missing = [COLUMNS[k][0] for k in COLUMNS if k not in found]
        if missing:
            raise self.error(f"table header lacks column(s) {', '.join(missing)} "
                             "(expected 序号 ⇥ 创新举措 ⇥ 单位名称 ⇥ 具体做法及成效)", index)
        return found

    def _level_from_context(self, index: int) -> str:
        for i in range(index, self.appendix_start - 1, -1):
            level = _level_of(self.lines[i])
            if level:
                return level
        raise self.error("cannot tell the level of this table: expected an appendix heading naming "
                         "市级 or 区级 (e.g. …市级营商环境优秀创新举措名单)", index)

    def _row(self, cells: list[str], columns: dict[str, int], level: str, index: int) -> MeasureRow:
        need = max(columns.values()) + 1
        if len(cells) < need:
            raise self.error(f"expected {need} tab-separated columns (序号, 创新举措, 单位名称, 具体做法及成效), "
                             f"found {len(cells)}", index)
        rank_text = ascii_digits(cells[columns["rank"]])
        if not rank_text.isdigit():
            raise self.error(f"expected a number in the 序号 column, found '{cells[columns['rank']]}'", index)
        title = cells[columns["title"]]
        units = tuple(u for u in (compact(x) for x in UNIT_SEPARATORS.split(cells[columns["units"]])) if u)
        if not title:
            raise self.error("empty 创新举措 (title) column", index)
        if not units:
            raise self.error("empty 单位名称 column: expected at least the lead unit", index)
        raw = cells[columns["description"]]
        description = strip_html(raw)
        return MeasureRow(level, int(rank_text), title, units, raw, description, split_actions(description), index + 1)

    def _continue(self, row: MeasureRow, more: str) -> MeasureRow:
        raw = row.description_html + "\n" + more
        description = strip_html(raw)
        return MeasureRow(row.level, row.rank, row.title, row.units, raw, description,
                          split_actions(description), row.line)


def _is_appendix_heading(line: str) -> bool:
    return re.fullmatch(r"#*\s*附件\s*[0-9０-９一二三四五六七八九十]*\s*", line.strip()) is not None


def _is_note(line: str) -> bool:
    return re.match(r"^[（(]\s*(?:备注|注)", line) is not None or line.startswith("---")


def _level_of(heading: str) -> str | None:
    for word, level in LEVELS:
        if word in heading:
            return level
    return None


def split_actions(description: str) -> tuple[Action, ...]:
    """The numbered action points (一是 … N是), in order; the outcome sentence after the last is cut off."""
    marks = []
    expected = 1
    for match in ACTION_MARK.finditer(description):
        if _ordinal(match["ord"]) == expected:
            marks.append(match)
            expected += 1
    actions = []
    for k, match in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else _last_action_end(description, match.end())
        text = description[match.end():end].strip()
        actions.append(Action(k + 1, text))
    return tuple(actions)


def _last_action_end(description: str, start: int) -> int:
    """The last action ends with its paragraph, or before an outcome sentence (截至… / 自2025年…)."""
    paragraph_end = description.find("\n", start)
    end = len(description) if paragraph_end < 0 else paragraph_end
    for match in re.finditer(r"。", description[start:end]):
        if OUTCOME_START.match(description[start + match.end():].lstrip()):
            return start + match.end()
    return end


_DIGITS = {c: i + 1 for i, c in enumerate(ORDINALS[:9])}


def _ordinal(word: str) -> int:
    """一 → 1 … 十 → 10, 十一 → 11, 二十 → 20 (enough for action lists)."""
    digits = _DIGITS
    if word == "十":
        return 10
    if word.startswith("十"):
        return 10 + digits.get(word[1:], 0)
    if word.endswith("十"):
        return digits.get(word[0], 0) * 10
    if "十" in word:
        tens, ones = word.split("十")
        return digits.get(tens, 0) * 10 + digits.get(ones, 0)
    return digits.get(word, 0)
