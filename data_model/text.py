"""Text clean-up shared by every normaliser: width, whitespace, headers, missing markers."""

from __future__ import annotations

import re
import unicodedata

from data_model.errors import InputError

# Full-width ASCII (U+FF01..U+FF5E) sits at a fixed offset from ASCII; the ideographic
# space is the one other character clerks' input methods produce. An explicit table is
# used instead of NFKC so that CJK text and symbols such as `㎡` or `℃` are left alone.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
_HALFWIDTH_TABLE = str.maketrans({chr(k): chr(v) for k, v in _HALFWIDTH.items()})

# Zero-width characters arrive with text pasted from web pages and Word; `\s` misses them.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_SPACE_RE = re.compile(rf"[\s{_ZERO_WIDTH}]+")
# A code's letters are ASCII upper case: only a-z, so that a letter outside ASCII in a
# code (none is expected) is not turned into another, as `str.upper` turns ß into SS.
_CODE_TABLE = str.maketrans(
    {
        **dict.fromkeys(map(ord, _ZERO_WIDTH)),
        **{ord(c): c.upper() for c in "abcdefghijklmnopqrstuvwxyz"},
    }
)
_HEADER_UNIT_RE = re.compile(r"^(?P<name>.+?)[(\[【〔](?P<unit>[^()\[\]【】〔〕]*)[)\]】〕]$")
_UNIT_PREFIX_RE = re.compile(r"^单位[:：]?")
_DASHES_RE = re.compile(r"^[-—–―─]+$")
_MISSING_MARKERS = frozenset({"/", "无", "暂无", "n/a", "na", "#n/a"})
# Characters XML 1.0 cannot hold: the C0 controls but tab, line feed and carriage return,
# and U+FFFE, U+FFFF. A cell may hold them (an .xls as they are, an .xlsx as `_x0001_`),
# pasted from other programs, where they show as nothing; stored, they made every .xlsx
# and .docx written with them fail (exports, bulletin, notices), and PostgreSQL refuses
# U+0000 in a text. With them go the noncharacters U+FDD0–U+FDEF, which Unicode keeps for
# a program's own use: the charts write their line breaks and bold with three of them
# (`charts.common.LINE_BREAK`), so a name read with one would break or bold a label.
# And the bidirectional embedding, override and isolate controls (U+202A–U+202E,
# U+2066–U+2069): in a name, `\u202e` shows the text after it reversed, so that what a
# page, an export or a notice shows is not what was written; Chinese and English text
# has no use for them.
NOT_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]"
)


# What a table's file-name column holds (VARCHAR(255)): PostgreSQL refuses a longer name,
# and a NUL in any text, with a DataError; SQLite stores both.
FILE_NAME_CHARS = 255
# An extension longer than this is no extension, and is cut like the rest of the name.
_EXTENSION_CHARS = 16


def stored_file_name(name: str, limit: int = FILE_NAME_CHARS) -> str:
    """An uploaded file's name as it is stored, the same on both engines: its last part
    (no folders: `C:\\…\\报表.xlsx`, `../x.xlsx`), without control and format characters
    (a NUL; the right-to-left override U+202E, which makes a name ending `.exe` read as
    one ending `.xlsx`), without spaces and dots around it, and at most `limit`
    characters, cut before its extension, which it keeps."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(base) <= limit:
        return base
    stem, dot, extension = base.rpartition(".")
    if dot and stem and len(extension) <= _EXTENSION_CHARS:
        return stem[: limit - len(extension) - 1].rstrip(" .") + "." + extension
    return base[:limit]


def without_non_xml(s: str) -> str:
    """`s` without the characters XML cannot hold, the noncharacters and the bidirectional
    controls (`NOT_XML`)."""
    return NOT_XML.sub("", s) if NOT_XML.search(s) else s


def to_halfwidth(s: str) -> str:
    """Map full-width ASCII characters and the ideographic space to plain ASCII.

    `（１２３）` becomes `(123)`; Chinese characters and all other text are unchanged.
    """
    return s.translate(_HALFWIDTH_TABLE)


def code_text(s: str) -> str:
    """A key code as a clerk reads it: full-width characters half-width, zero-width
    characters dropped, ASCII letters upper case, stripped. `Ａ1-01`, `a1-01` and `A1-01`
    followed by a zero-width space are the same code to a clerk, so they are A1-01, not
    keys of their own beside it (a lower-case issue number counted twice)."""
    return to_halfwidth(s).translate(_CODE_TABLE).strip()


def remove_whitespace(s: str) -> str:
    """Drop every whitespace character, including line breaks and zero-width spaces."""
    # Each character the pattern drops but the space is a separator, control or format
    # character, none of them printable: most cells are settled at C speed, five times
    # faster than the pattern's search (a column of 32,000-character texts took 16 s).
    if s.isprintable() and " " not in s:
        return s
    return _SPACE_RE.sub("", s)


def clean_header(raw: object) -> tuple[str, str | None]:
    """Header cell → (name, unit).

    Whitespace anywhere (including line breaks inside the cell) is removed, full-width
    characters become half-width, and a trailing bracketed unit is split off:
    `国内生产总值（亿元）` → (`国内生产总值`, `亿元`), `金额[万元]` → (`金额`, `万元`),
    `金额(单位:万元)` → (`金额`, `万元`). Empty brackets give unit None. `None` → ("", None);
    other non-strings go through `str()`.
    """
    if raw is None:
        return "", None
    text = remove_whitespace(to_halfwidth(str(raw)))
    match = _HEADER_UNIT_RE.match(text)
    if match is None:
        return text, None
    unit = _UNIT_PREFIX_RE.sub("", match["unit"])
    return match["name"], unit or None


def is_missing(raw: object) -> bool:
    """True when a cell means "no value": None, blank text, or a marker such as `-`, `—`,
    `/`, `无`, `暂无`, `N/A`, `#N/A` (after half-width conversion and trimming).

    Numbers are never missing: 0 and "0" are values. Float NaN is not treated as
    missing either; `parse_number` rejects it, since no spreadsheet reader yields it for
    a blank cell and it signals a bug upstream.
    """
    if raw is None:
        return True
    if not isinstance(raw, str):
        return False
    text = remove_whitespace(to_halfwidth(raw))
    if not text:
        return True
    return bool(_DASHES_RE.match(text)) or text.casefold() in _MISSING_MARKERS


_EMAIL = re.compile(r"[^@\s,;，；]+@[^@\s,;，；]+\.[^@\s,;，；]+")


def check_email(raw: object) -> str:
    """One e-mail address, trimmed ("" for none); InputError `master.bad_email` otherwise."""
    text = "" if raw is None or is_missing(raw) else str(raw).strip()
    if text and not _EMAIL.fullmatch(text):
        raise InputError("master.bad_email", value=text)
    return text
