"""Word documents as PDF, rendered on the server by LibreOffice headless (`soffice`).

The PDF bulletin is the Word bulletin converted, so both have the same layout, text,
tables and chart images. Debian's `libreoffice-writer-nogui` is enough (no desktop, no
Java); `SOFFICE_PATH` names another binary. Conversion is offline: LibreOffice reads the
file and writes the PDF, it fetches nothing.

Fonts: the document names the official fonts (FangSong, SimHei, KaiTi, SimSun). Where
they are installed they are used. Where they are not (a Linux server), LibreOffice would
draw every one of them in the same sans-serif; the conversion's profile carries a font
replacement table (Tools ▸ Options ▸ Fonts) that puts in the fallbacks the document's own
font table names (`official_docx.FALLBACK_FONTS`): Noto Serif CJK SC for the Song, Fang and
Kai faces, Noto Sans CJK SC for the Hei face (Debian's fonts-noto-cjk). The table lists only
fonts fontconfig does not know, so an installed FangSong is never replaced.

Each conversion gets its own LibreOffice profile folder, so conversions may run in
parallel (one profile can be used by only one soffice process at a time).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from data_model import settings
from data_model.outputs import official_docx

SOFFICE_NAMES = ("soffice", "libreoffice")
CONVERT_TIMEOUT_SECONDS = 180
PDF_MAGIC = b"%PDF-"
FONT_SUBSTITUTES = {**official_docx.FALLBACK_FONTS, "Times New Roman": "Liberation Serif"}
INSTALL_HINT = "apt-get install libreoffice-writer-nogui"


class PdfUnavailable(RuntimeError):
    """No LibreOffice to convert with: `str()` says what was looked for."""


class PdfConversionError(RuntimeError):
    """LibreOffice ran but wrote no PDF: `str()` says what it reported."""


def find_soffice() -> str | None:
    """The LibreOffice binary: `SOFFICE_PATH` if set (None when it is not executable),
    else the first of SOFFICE_NAMES on PATH (Debian installs /usr/bin/soffice)."""
    return settings.program_path(settings.soffice_path(), SOFFICE_NAMES)


def soffice_problem() -> str:
    """Why `find_soffice` found nothing, for messages."""
    return settings.program_problem(
        "SOFFICE_PATH", SOFFICE_NAMES, "LibreOffice", hint=f"; {INSTALL_HINT}"
    )


def docx_to_pdf(docx: bytes, timeout: float = CONVERT_TIMEOUT_SECONDS) -> bytes:
    """The Word document `docx` as PDF bytes.

    Raises PdfUnavailable without LibreOffice, PdfConversionError when it fails or takes
    longer than `timeout` seconds.
    """
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable(soffice_problem())
    with tempfile.TemporaryDirectory(prefix="bulletin-pdf-") as work:
        folder = Path(work)
        source = folder / "document.docx"
        source.write_bytes(docx)
        profile = folder / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(
            _replacement_table(_missing_fonts()), encoding="utf-8"
        )
        env = dict(
            os.environ,
            HOME=str(folder),  # LibreOffice writes caches under HOME
            SAL_USE_VCLPLUGIN="svp",  # no display needed
        )
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise PdfConversionError(f"LibreOffice took longer than {timeout:g} s") from error
        except OSError as error:
            raise PdfUnavailable(f"{soffice}: {error}") from error
        target = folder / "document.pdf"
        if not target.exists():
            said = (done.stderr or done.stdout).strip().splitlines()
            raise PdfConversionError(
                f"LibreOffice wrote no PDF (exit {done.returncode}): {' '.join(said[-3:])}"
            )
        data = target.read_bytes()
    if not data.startswith(PDF_MAGIC):
        raise PdfConversionError("LibreOffice's output is not a PDF file")
    return data


def _missing_fonts() -> dict[str, str]:
    """FONT_SUBSTITUTES less the fonts fontconfig has (all of them without fc-list)."""
    try:
        listed = subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        listed = ""
    installed = {name.strip().lower() for line in listed.splitlines() for name in line.split(",")}
    return {font: sub for font, sub in FONT_SUBSTITUTES.items() if font.lower() not in installed}


def _replacement_table(pairs: dict[str, str]) -> str:
    """LibreOffice user settings holding a font replacement table of `pairs`."""
    path = "/org.openoffice.Office.Common/Font/Substitution"

    def prop(name: str, value: str) -> str:
        return f'<prop oor:name="{name}" oor:op="fuse"><value>{escape(value)}</value></prop>'

    items = [f'<item oor:path="{path}">{prop("Replacement", "true")}</item>']
    for number, (font, substitute) in enumerate(pairs.items()):
        items.append(
            f'<item oor:path="{path}/FontPairs"><node oor:name="_{number}" oor:op="replace">'
            + prop("Always", "true")
            + prop("OnScreenOnly", "false")
            + prop("ReplaceFont", font)
            + prop("SubstituteFont", substitute)
            + "</node></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' + "".join(items) + "</oor:items>"
    )
