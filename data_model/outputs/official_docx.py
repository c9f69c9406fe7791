"""Word documents in the layout of Chinese official documents (公文, after GB/T 9704-2012).

A4 with margins of 37/35/28/26 mm (top/bottom/left/right); body text 三号 (16 pt)
FangSong on a fixed 28 pt line with a two-character first-line indent; level-1 headings
SimHei, level-2 headings KaiTi; a red masthead (版头) with a red rule under the issuer
and date; tables in 五号 (10.5 pt) with a shaded header row repeated on every page; page
numbers as "— 1 —" at the foot.

python-docx's `font.name` sets only the Latin font slots; Chinese text takes the
`w:eastAsia` slot of `w:rFonts`, so every style and run here sets it explicitly (and
drops the template's theme-font attributes, which would win over named fonts). The
font table names a fallback for each Chinese font (`w:altName`, Noto CJK from Debian's
fonts-noto-cjk) for machines without the Windows fonts, and `w:lang` marks the text as
zh-CN so a substitute is chosen from Chinese fonts. Every text loses the characters XML
cannot hold (`text.NOT_XML`: stored before the reader dropped them, they made python-docx
refuse the whole document).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from lxml import etree

from data_model.text import without_non_xml

LATIN_FONT = "Times New Roman"
BODY_FONT = "FangSong"  # 仿宋
HEADING_FONT = "SimHei"  # 黑体
SUBHEADING_FONT = "KaiTi"  # 楷体
PAGE_NUMBER_FONT = "SimSun"  # 宋体
# Fallback family per Chinese font, for machines without the Windows fonts.
FALLBACK_FONTS = {
    BODY_FONT: "Noto Serif CJK SC",
    SUBHEADING_FONT: "Noto Serif CJK SC",
    PAGE_NUMBER_FONT: "Noto Serif CJK SC",
    HEADING_FONT: "Noto Sans CJK SC",
}
GB2312_CHARSET = "86"

RED = RGBColor(0xFF, 0x00, 0x00)
BLACK = RGBColor(0x00, 0x00, 0x00)
HEADER_FILL = "D9D9D9"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(26)
CAPTION_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(10.5)  # 五号
LINE_PITCH = Pt(28)
TEXT_WIDTH = Mm(210 - 28 - 26)

TABLE_STYLE = "Bulletin Table Text"
CAPTION_STYLE = "Bulletin Caption"


@dataclass(frozen=True)
class Column:
    """A table column: header text, share of the text width, and alignment of its cells."""

    header: str
    weight: float = 1.0
    align: str = "center"  # center | left | right


def new_document(title: str, author: str, language: str = "zh-CN") -> DocumentObject:
    """An empty A4 document with the official styles set up."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    document.core_properties.title = title
    document.core_properties.author = author
    document.core_properties.language = language
    _set_defaults(document)
    _set_styles(document)
    _page_numbers(document)
    return document


def _theme_free_fonts(rpr):
    """The `w:rFonts` of run properties `rpr` (added when missing) without theme fonts,
    which Word would otherwise prefer to the fonts named."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    return fonts


def set_fonts(element, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a run or style element (`w:r` or `w:style`), East Asian slot included."""
    fonts = _theme_free_fonts(element.get_or_add_rPr())
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _set_defaults(document: DocumentObject) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = _theme_free_fonts(rpr)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    # python-docx's template says Japanese here, which makes substitutes Japanese fonts.
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _style_font(style, east_asian: str, size, bold: bool = False, color=BLACK) -> None:
    set_fonts(style.element, east_asian)
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = color
    rpr = style.element.get_or_add_rPr()
    for flag in ("w:bCs", "w:iCs"):
        found = rpr.find(qn(flag))
        if found is not None:
            rpr.remove(found)


def _body_layout(style):
    """The style's paragraph format on the body's grid: its line pitch, no space around,
    a first line indented two characters."""
    layout = style.paragraph_format
    layout.line_spacing = LINE_PITCH
    layout.space_before = layout.space_after = Pt(0)
    layout.first_line_indent = BODY_SIZE * 2
    return layout


def _set_styles(document: DocumentObject) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _style_font(normal, BODY_FONT, BODY_SIZE)
    body = _body_layout(normal)
    body.widow_control = True
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT)):
        style = styles[name]
        _style_font(style, font, BODY_SIZE)
        _body_layout(style).keep_with_next = True

    table_text = styles.add_style(TABLE_STYLE, 1)  # 1: paragraph style
    table_text.base_style = normal
    _style_font(table_text, BODY_FONT, TABLE_SIZE)
    layout = table_text.paragraph_format
    layout.line_spacing = 1.0
    layout.first_line_indent = Pt(0)
    layout.space_before = layout.space_after = Pt(1)
    layout.alignment = WD_ALIGN_PARAGRAPH.CENTER

    caption = styles.add_style(CAPTION_STYLE, 1)
    caption.base_style = normal
    _style_font(caption, SUBHEADING_FONT, CAPTION_SIZE)
    layout = caption.paragraph_format
    layout.line_spacing = 1.0
    layout.first_line_indent = Pt(0)
    layout.space_before, layout.space_after = Pt(6), Pt(6)
    layout.alignment = WD_ALIGN_PARAGRAPH.CENTER
    layout.keep_with_next = True


def masthead(
    document: DocumentObject,
    title: str,
    subtitle: str,
    issuer: str,
    date_text: str,
    number: str | None = None,
) -> None:
    """The red title (版头), the period under it, the document number (文号) centred under
    that when there is one, then issuer and date above a red rule."""
    head = document.add_paragraph()
    head.paragraph_format.first_line_indent = Pt(0)
    head.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.line_spacing = 1.0
    head.paragraph_format.space_before = Pt(12)
    head.paragraph_format.space_after = Pt(6)
    run = head.add_run(without_non_xml(title))
    set_fonts(run._element, HEADING_FONT)
    run.font.size = TITLE_SIZE
    run.font.bold = True
    run.font.color.rgb = RED

    period = document.add_paragraph()
    period.paragraph_format.first_line_indent = Pt(0)
    period.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = period.add_run(without_non_xml(subtitle))
    set_fonts(run._element, SUBHEADING_FONT)

    if number:
        numbered = document.add_paragraph()
        numbered.paragraph_format.first_line_indent = Pt(0)
        numbered.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        numbered.paragraph_format.space_before = Pt(6)
        numbered.add_run(without_non_xml(number))

    line = document.add_paragraph()
    layout = line.paragraph_format
    layout.first_line_indent = Pt(0)
    layout.alignment = WD_ALIGN_PARAGRAPH.LEFT
    layout.space_before = Pt(12)
    layout.space_after = Pt(18)
    layout.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    line.add_run(without_non_xml(f"{issuer}\t{date_text}"))
    _bottom_rule(line, RED)


def _bottom_rule(paragraph, color: RGBColor) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "18")  # eighths of a point: 2.25 pt
    bottom.set(qn("w:space"), "6")
    bottom.set(qn("w:color"), str(color))
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def heading(document: DocumentObject, text: str, level: int) -> None:
    document.add_paragraph(without_non_xml(text), style=f"Heading {level}")


def paragraph(document: DocumentObject, text: str, placeholder: bool = False) -> None:
    """A body paragraph; a placeholder (text for the user to replace) is highlighted."""
    run = document.add_paragraph().add_run(without_non_xml(text))
    if placeholder:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def addressee(document: DocumentObject, text: str) -> None:
    """The main recipient (主送机关) line: flush left, no indent, ending in a colon."""
    line = document.add_paragraph(without_non_xml(text))
    line.paragraph_format.first_line_indent = Pt(0)
    line.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT


def signature(document: DocumentObject, issuer: str, date_text: str) -> None:
    """The issuer (发文机关署名) and date under the body, right-aligned, a line apart."""
    for index, text in enumerate((issuer, date_text)):
        line = document.add_paragraph(without_non_xml(text))
        layout = line.paragraph_format
        layout.first_line_indent = Pt(0)
        layout.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        layout.right_indent = BODY_SIZE * 4
        if index == 0:
            layout.space_before = LINE_PITCH


def caption(document: DocumentObject, text: str) -> None:
    document.add_paragraph(without_non_xml(text), style=CAPTION_STYLE)


def table(document: DocumentObject, columns: Sequence[Column], rows: Sequence[Sequence[str]]):
    """A bordered table of text cells with a shaded header row repeated on each page."""
    grid = document.add_table(rows=1 + len(rows), cols=len(columns))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    total = sum(c.weight for c in columns)
    widths = [int(TEXT_WIDTH * c.weight / total) for c in columns]
    for index, width in enumerate(widths):
        grid.columns[index].width = width
    header = grid.rows[0]
    _repeat_header(header)
    for cell, column, width in zip(header.cells, columns, widths, strict=True):
        cell.width = width
        _shade(cell, HEADER_FILL)
        _cell_text(cell, column.header, "center", HEADING_FONT)
    for row, values in zip(grid.rows[1:], rows, strict=True):
        _keep_row_together(row)
        for cell, column, width, value in zip(row.cells, columns, widths, values, strict=True):
            cell.width = width
            _cell_text(cell, value, column.align)
    return grid


def _cell_text(cell, text: str, align: str, east_asian: str | None = None) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.style = TABLE_STYLE
    paragraph.paragraph_format.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    run = paragraph.add_run(without_non_xml(text))
    if east_asian:
        set_fonts(run._element, east_asian)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    flag = OxmlElement("w:tblHeader")
    row._tr.get_or_add_trPr().append(flag)
    _keep_row_together(row)


def _keep_row_together(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def picture(document: DocumentObject, image: bytes, width=None) -> None:
    """A centred inline image (PNG bytes), the full text width unless `width` is given."""
    holder = document.add_paragraph()
    layout = holder.paragraph_format
    layout.first_line_indent = Pt(0)
    layout.alignment = WD_ALIGN_PARAGRAPH.CENTER
    layout.line_spacing = 1.0  # a fixed line height would crop the picture
    layout.keep_with_next = True
    layout.space_before = Pt(6)
    holder.add_run().add_picture(io.BytesIO(image), width=width or Cm(15))


def _page_numbers(document: DocumentObject) -> None:
    """ "— 1 —" centred in the footer, the number a PAGE field Word fills in."""
    footer = document.sections[0].footer.paragraphs[0]
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.paragraph_format.first_line_indent = Pt(0)
    footer.paragraph_format.line_spacing = 1.0
    dash = footer.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    number.append(text)
    field.append(number)
    footer._p.append(field)
    end = footer.add_run(" —")
    for run in (dash, end):
        set_fonts(run._element, PAGE_NUMBER_FONT)
        run.font.size = CAPTION_SIZE
    set_fonts(number, PAGE_NUMBER_FONT)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(int(CAPTION_SIZE.pt * 2)))
    number.get_or_add_rPr().append(size)


def to_bytes(document: DocumentObject) -> bytes:
    """The .docx bytes, with the Chinese fonts and their fallbacks in the font table."""
    buffer = io.BytesIO()
    document.save(buffer)
    return _with_font_table(buffer.getvalue())


def _with_font_table(package: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/fontTable.xml":
                data = _add_fonts(data)
            target.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    return output.getvalue()


def _add_fonts(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    present = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    for name, fallback in FALLBACK_FONTS.items():
        if name in present:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", fallback),
            ("w:charset", GB2312_CHARSET),
            ("w:family", "modern" if name == HEADING_FONT else "roman"),
            ("w:pitch", "variable"),
        ):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
