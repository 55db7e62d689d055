"""Bad input gets a clear error naming the file and line, and a failed build loses nothing."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from conftest import NOTICE, ROOT
from reformkg.cli import main
from reformkg.errors import NoticeFormatError, RegistryError
from reformkg.notice import parse_notice
from reformkg.registry import load_registry

TEXT = NOTICE.read_text(encoding="utf-8")
HEADER = "序号\t创新举措\t单位名称\t具体做法及成效"


def write(tmp_path, text: str | bytes, name: str = "n.txt"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_no_table(tmp_path):
    cut = TEXT[: TEXT.index("## 附件 1")]
    with pytest.raises(NoticeFormatError, match="no measure table") as err:
        parse_notice(write(tmp_path, cut))
    assert str(write(tmp_path, cut)) in str(err.value)


def test_row_with_missing_column(tmp_path):
    row = "8\t税务赋能构建社保“汇智中枢”实现一站式服务\t市税务局\t"
    start = TEXT.index(row)
    end = TEXT.index("\n", start)
    broken = TEXT[:start] + "8\t税务赋能构建社保“汇智中枢”实现一站式服务\t市税务局" + TEXT[end:]
    with pytest.raises(NoticeFormatError, match=r"expected 4 tab-separated columns .* found 3") as err:
        parse_notice(write(tmp_path, broken))
    assert err.value.line == line_of(broken, "8\t税务赋能")
    assert f":{err.value.line}:" in str(err.value)


def test_empty_unit_list(tmp_path):
    broken = TEXT.replace("\t市科技局\t", "\t \t", 1)
    with pytest.raises(NoticeFormatError, match="empty 单位名称") as err:
        parse_notice(write(tmp_path, broken))
    assert err.value.line == line_of(broken, "9\t为科技型企业")


def test_duplicate_rank(tmp_path):
    broken = TEXT.replace("\n9\t为科技型企业", "\n8\t为科技型企业", 1)
    with pytest.raises(NoticeFormatError, match="duplicate 序号 8") as err:
        parse_notice(write(tmp_path, broken))
    assert err.value.line == line_of(broken, "8\t为科技型企业")


def test_gbk_file_is_decoded(tmp_path):
    notice = parse_notice(write(tmp_path, TEXT.encode("gb18030")))
    assert notice.encoding == "gb18030"
    assert notice.doc_number == "厦府办〔2025〕38号"
    assert len(notice.measures) == 20


def test_undecodable_file(tmp_path):
    with pytest.raises(NoticeFormatError, match="cannot decode"):
        parse_notice(write(tmp_path, b"\x81\x30\xff\xfe\x00garbage\xff"))


def test_bom_and_crlf(tmp_path):
    data = b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode("utf-8")
    notice = parse_notice(write(tmp_path, data))
    assert notice.issuer == "厦门市人民政府办公厅"
    assert len(notice.measures) == 20
    assert all("\r" not in m.description and "\r" not in m.title for m in notice.measures)


def test_full_width_digits(tmp_path):
    fw = str.maketrans("0123456789", "０１２３４５６７８９")
    text = TEXT.replace("厦府办〔2025〕38号", "厦府办〔２０２５〕３８号").replace(
        "2025 年 10 月 31 日", "２０２５ 年 １０ 月 ３１ 日").replace("\n10\t深化涉港", "\n１０\t深化涉港")
    notice = parse_notice(write(tmp_path, text))
    assert (notice.year, notice.number) == (2025, 38)
    assert notice.doc_number == "厦府办〔２０２５〕３８号"  # kept exactly as printed
    assert notice.issued.isoformat() == "2025-10-31"
    assert sorted(m.rank for m in notice.measures if m.level == "city") == list(range(1, 11))
    assert "１" not in "".join(str(m.rank) for m in notice.measures)
    assert fw  # the translation table is the one used above


def _data_copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def test_registry_typo_key(tmp_path):
    data = _data_copy(tmp_path)
    path = data / "agencies.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  name_en:", "  nmae_en:", 1), encoding="utf-8")
    with pytest.raises(RegistryError, match="unknown key 'nmae_en'") as err:
        load_registry(data)
    assert "agencies.yaml" in str(err.value) and err.value.line is not None


def test_two_agencies_sharing_an_alias(tmp_path):
    data = _data_copy(tmp_path)
    path = data / "agencies.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - 市税务局\n", "  - 市税务局\n  - 共用简称\n", 1)
    text = text.replace("  - 市中级法院\n", "  - 市中级法院\n  - 共用简称\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match="share the name '共用简称'"):
        load_registry(data)


def test_cli_prints_one_line_and_keeps_previous_outputs(tmp_path):
    data = _data_copy(tmp_path)
    out = tmp_path / "dist"
    runner = CliRunner()
    ok = runner.invoke(main, ["build", "--data", str(data), "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    before = (out / "reformkg.ttl").read_bytes()
    notice = data / "notices" / NOTICE.name
    notice.write_text(TEXT.replace("\t市科技局\t", "\t\t", 1), encoding="utf-8")
    failed = runner.invoke(main, ["build", "--data", str(data), "--out", str(out)])
    assert failed.exit_code == 1
    assert "Traceback" not in failed.output
    assert "empty 单位名称" in failed.output and f"{notice}:" in failed.output
    assert (out / "reformkg.ttl").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
