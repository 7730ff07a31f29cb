"""Every message of the portal has its French translation."""

import re
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def test_french_catalogue_translates_every_message():
    catalogue = polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue) > 100


def test_french_translations_keep_their_placeholders():
    catalogue = polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))
    placeholder = re.compile(r"%\(\w+\)[sd]")
    broken = []
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            pairs = [
                (entry.msgid if index == 0 else entry.msgid_plural, translation)
                for index, translation in entry.msgstr_plural.items()
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translation in pairs:
            if set(placeholder.findall(source)) - {"%(counter)s"} != set(
                placeholder.findall(translation)
            ) - {"%(counter)s"}:
                broken.append(entry.msgid)
    assert broken == []


def test_every_message_of_the_code_is_in_the_french_catalogue(tmp_path):
    """Extract the messages again from a copy of the code: none may be new or untranslated."""
    import shutil
    import subprocess
    import sys

    root = LOCALE.parent
    skipped = shutil.ignore_patterns(
        ".venv", ".git", "var", "tests", "bench", "node_modules", "__pycache__", "*.mo", "static"
    )
    copy = tmp_path / "portal"
    shutil.copytree(root, copy, ignore=skipped)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "SECRET_KEY": "x"},
        check=True,
    )
    extracted = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))

    missing = [entry.msgid for entry in extracted.untranslated_entries()]
    fuzzy = [entry.msgid for entry in extracted.fuzzy_entries()]

    assert missing == []
    assert fuzzy == []


def test_no_message_is_marked_inside_an_f_string():
    """xgettext does not see a gettext call inside an f-string: it would stay in English."""
    import ast

    root = LOCALE.parent
    names = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "pgettext_lazy"}
    found = []
    for path in root.glob("*/**/*.py"):
        if any(part in {".venv", "var", "node_modules", "tests"} for part in path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.JoinedStr):
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Name)
                        and call.func.id in names
                    ):
                        found.append(f"{path.relative_to(root)}:{call.lineno}")
    assert found == []
