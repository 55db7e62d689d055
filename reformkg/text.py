"""Reading and normalising Chinese source text.

Source strings are kept exact; the helpers here produce *derived* forms (ASCII digits, text without
HTML tags, names without line-wrap spaces) used for parsing and matching.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import NoticeFormatError

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％，：", "0123456789.%,:")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"


@dataclass(frozen=True)
class SourceText:
    """A decoded text file and how it was decoded (for a warning when it was not UTF-8)."""

    path: Path
    text: str
    encoding: str


def read_source(path: Path) -> SourceText:
    """Decode a notice: UTF-8 (with or without BOM), else UTF-16 by BOM, else GB18030 (GBK's superset).

    Line ends become ``\\n``. A file that is none of these is an error naming the file.
    """
    data = Path(path).read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16"), "utf-16"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            try:
                text, encoding = data.decode("gb18030"), "gb18030"
            except UnicodeDecodeError:
                line = data[: exc.start].count(b"\n") + 1
                raise NoticeFormatError(
                    "cannot decode the file: expected UTF-8 (or GBK/GB18030) text", path=path, line=line
                ) from None
    return SourceText(Path(path), text.replace("\r\n", "\n").replace("\r", "\n"), encoding)


def ascii_digits(text: str) -> str:
    """Full-width digits, point, percent, comma and colon as ASCII (２０２５ → 2025)."""
    return text.translate(_FULLWIDTH)


_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|div|li|ul|ol|tr|td|th|table|tbody|thead|h[1-6]|section)\b[^<>]{0,300}>", re.IGNORECASE)
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9]*\b[^<>]{0,300}>|<!--.*?-->", re.DOTALL)


def untag(cell: str) -> str:
    """HTML fragments out, text kept: block tags become new lines, other tags vanish, entities decode.

    Only real tags match (a letter after ``<``), so a stray ``<`` in the text (``<5天``) is kept.
    """
    return html.unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", cell)))


_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0"}
_CN_DATE = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                      r"(?:\s*([一二三四五六七八九十]{1,3})\s*日)?")


def _cn_number(word: str) -> int:
    """一 … 九十九 as an int (enough for months and days)."""
    if "十" not in word:
        return int("".join(_CN_DIGIT[c] for c in word))
    tens, _, ones = word.partition("十")
    return (int(_CN_DIGIT[tens]) if tens else 1) * 10 + (int(_CN_DIGIT[ones]) if ones else 0)


def date_digits(text: str) -> str:
    """Dates in Arabic digits: full-width digits and 二〇二五年十月三十一日 both → 2025年10月31日."""
    def arabic(m: re.Match) -> str:
        year = "".join(_CN_DIGIT[c] for c in m[1])
        day = f"{_cn_number(m[3])}日" if m[3] else ""
        return f"{year}年{_cn_number(m[2])}月{day}"

    return _CN_DATE.sub(arabic, ascii_digits(text))


def strip_html(cell: str) -> str:
    """Plain text of a description cell: one line per paragraph, no tags, no blank lines."""
    lines = (line.strip() for line in untag(cell).split("\n"))
    return "\n".join(line for line in lines if line)


def join_wrapped(text: str) -> str:
    """Remove white space between two CJK characters: a line-wrap or page-break artefact."""
    return re.sub(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])", "", text).strip()


def compact(text: str) -> str:
    """A name without any white space, for matching (集美 ⏎⏎ 区政府 → 集美区政府)."""
    return re.sub(r"\s+", "", text)
