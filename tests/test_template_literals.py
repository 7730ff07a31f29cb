"""No user-visible text in a template escapes translation.

Each template is read with Django's own lexer. Text outside
``{% translate %}`` / ``{% blocktranslate %}`` — the words between tags and the
attributes a user reads or hears (alt, title, aria-label, placeholder…) — must
not hold words. Names that are the same in every language (the programme's
brands) are listed below.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
APP_TEMPLATES = [
    path
    for app in ("calls", "municipalities", "experiments", "notifications", "reports")
    for path in (Path(__file__).resolve().parent.parent / app / "templates").glob("**/*")
]

# Proper names, written the same in French and English.
SAME_IN_EVERY_LANGUAGE = {
    "QMI",
    "Paris&Co",
    "Paris&amp;Co",
    "Métropole du Grand Paris",
    "OpenStreetMap",
    "Leaflet",
    "SIRET",
    "INSEE",
    "EPT",
    "RGAA",
    "WCAG",
    "PDF",
    "CSV",
    "XLSX",
    "ics",
    "FR",
    "EN",
    "Français",
    "English",
    "×",
}
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description", "label"}
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]{2,}")
# Blocks whose inner text is not read by a user as such.
SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
    "verbatim": "endverbatim",
}
# Template blocks that fill attributes or the <head>, not text a user reads.
INVISIBLE_BLOCKS = {"bodyclass", "extrastyle", "extrahead", "extra_head", "extra_js", "scripts"}
# Templates shown when Django itself failed: no translation machinery, both languages written out.
BILINGUAL_BY_DESIGN = {"500.html"}
ADDRESS = re.compile(r"(\S+@\S+\.\w+|https?://\S+)")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._raw = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._raw += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.found.append(value)
            if name == "value" and tag == "input" and ("type", "submit") in attrs and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._raw:
            self._raw -= 1

    def handle_data(self, data):
        if not self._raw:
            self.found.append(data)


def _literal_words(text: str) -> list[str]:
    text = ADDRESS.sub(" ", text)
    for name in sorted(SAME_IN_EVERY_LANGUAGE, key=len, reverse=True):
        text = text.replace(name, " ")
    return WORD.findall(text)


def untranslated_literals(source: str) -> list[str]:
    """The words of a template a user would see untranslated."""
    plain = []
    closing = None
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type == TokenType.BLOCK:
            # A placeholder keeps the surrounding HTML well formed for the parser.
            plain.append("§")
            bits = token.contents.split()
            closing = SKIPPED_BLOCKS.get(bits[0])
            if bits[0] == "block" and bits[1] in INVISIBLE_BLOCKS:
                closing = "endblock"
        elif token.token_type == TokenType.VAR:
            plain.append("§")
        elif token.token_type == TokenType.TEXT:
            plain.append(token.contents)
    parser = _VisibleText()
    parser.feed("".join(plain))
    parser.close()
    return [word for text in parser.found for word in _literal_words(text)]


def _templates():
    paths = [*TEMPLATES.glob("**/*.html"), *TEMPLATES.glob("**/*.txt"), *APP_TEMPLATES]
    return sorted(path for path in paths if path.is_file() and path.suffix in {".html", ".txt"})


@pytest.mark.parametrize(
    "path", _templates(), ids=lambda path: str(path.relative_to(path.parents[2]))
)
def test_template_has_no_untranslated_literal(path):
    if path.name in BILINGUAL_BY_DESIGN:
        source = path.read_text()
        assert 'lang="fr"' in source and 'lang="en"' in source
        return
    assert untranslated_literals(path.read_text()) == []


def test_checker_finds_an_untranslated_literal():
    source = (
        '{% load i18n %}<h1>{% translate "Calls" %}</h1><p>Bonjour {{ name }}</p>'
        '<img src="x.png" alt="Carte du quartier">'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}"
        "<script>const label = 'not read';</script>"
    )

    assert untranslated_literals(source) == ["Bonjour", "Carte", "du", "quartier"]


def test_checker_accepts_translated_text_and_proper_names():
    source = (
        '{% load i18n %}<p title="{% translate "Deadline" %}">{% translate "Apply" %}</p>'
        "<a href='https://www.parisandco.paris/'>Paris&amp;Co</a> · QMI"
        "{% comment %}Not shown{% endcomment %}"
    )

    assert untranslated_literals(source) == []
