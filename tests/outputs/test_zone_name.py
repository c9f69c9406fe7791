"""One name for the pilot zone everywhere: `app.zone` of the catalogue.

The product's title, the bulletin, the templates and the command line all call the zone
what `app.zone` calls it; no text calls it by another name (先行区, 示范区, …).
"""

from __future__ import annotations

import re

import pytest

from data_model.i18n import LANGUAGES, catalogue, t

# Other names a zone of this programme goes by; none of them may appear.
OTHER_ZONE_WORDS = {
    "zh-CN": re.compile(r"先行区|示范区|实验区|创建区|试点区"),
    "en": re.compile(r"pilot[- ]area|demonstration zone|pilot-zone|experimental zone", re.I),
}
# A mention of the programme: where it is followed by a zone word, it must be app.zone
# (file names drop the quotation marks).
PROGRAMME = {
    "zh-CN": re.compile(r"“?两个健康”?(试验区)"),
    "en": re.compile(r"[“\"]?two healths[”\"]? (pilot zone)", re.I),
}


def bare(name: str) -> str:
    return re.sub(r"[“”\"]", "", name).lower()


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_names_the_zone_otherwise(language):
    zone = t("app.zone", language)
    for key, text in catalogue(language).items():
        assert not OTHER_ZONE_WORDS[language].search(text), f"{language} {key}: {text}"
        for match in PROGRAMME[language].finditer(text):
            assert bare(match.group(0)) == bare(zone), f"{language} {key}: {text}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_title_bulletin_and_templates_use_the_zone_name(language):
    zone = t("app.zone", language)
    for key in (
        "app.title",
        "bulletin.document_title",
        "bulletin.opening",
        "templates.title",
        "templates.creator",
        "cli.description",
    ):
        assert zone.lower() in t(key, language).lower(), f"{language} {key}"
