"""The app's languages: English in the source, Simplified Chinese (zh_CN) from Qt's translator.

How to mark a user-visible string (anything a user can read: window and dialog titles,
labels, buttons, menu and action texts, tooltips, status tips, placeholders, status-bar and
message-box text, field errors, diagnostics and advice):

- In a QObject subclass or anywhere else in ``app/``, call::

      from app.i18n import translate
      label = QLabel(translate("MainWindow", "No profile selected"))

  The first argument, the *context*, is a string literal naming the class (or the module,
  for module-level code); ``pyside6-lupdate`` reads the source and needs both arguments as
  literals. Don't use ``self.tr``: PySide6 looks it up under the instance's class name, which
  differs from the literal lupdate records as soon as a class is subclassed.
- Values go in with ``str.format`` AFTER translating, never with an f-string inside the call
  (lupdate would record the braces literally and the lookup would never match)::

      translate("MainWindow", "Deleted '{name}'.").format(name=name)

  ``tests/app/test_i18n.py`` fails on an f-string, a variable or a concatenation passed as
  the text or the context.
- Text needed at import time (a module-level table, a class attribute) is evaluated before the
  translator is installed: mark it with ``QT_TRANSLATE_NOOP("Context", "text")`` (from
  here) where it is defined, and call ``translate("Context", value)`` where it is shown.
- Keep technical tokens as they are inside the English text (flag names like ``datashard``,
  ``fast2``, ``aes``, KCP, FEC, units): the translation keeps them too.
- Log lines (``logging``) stay English: they are for bug reports and searching.

Then refresh the catalogue and translate the new entries (the test fails until every entry
is translated)::

    .venv/bin/python -m app.i18n update     # pyside6-lupdate app/ -> resources/translations/*.ts
    # edit the <translation> of each new message in kcpdesk_zh_CN.ts (Qt Linguist works too:
    # .venv/bin/pyside6-linguist resources/translations/kcpdesk_zh_CN.ts)
    .venv/bin/python -m app.i18n release    # pyside6-lrelease -> the .qm the app loads

Both files are checked in (the .qm is what the app and the bundle load; the test checks that
it matches the .ts). A rebase that conflicts on them: keep both sides' ``<message>`` entries
in the .ts, then run ``update`` and ``release`` again (the .qm is always rebuilt, never
merged). kcpcore's texts (setting help, tooltips, validation messages) are translated on their
way to the screen by ``app/core_text.py``.

The language follows the system locale (any Chinese locale gets zh_CN); View > Language
overrides it, stored in ui.ini, applied at the next start. To try it: ``LANGUAGE=zh_CN
kcpdesk`` or View > Language > 简体中文 and start again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Final

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app import resources

__all__ = [
    "LANGUAGES",
    "QT_TRANSLATE_NOOP",
    "SYSTEM",
    "TRANSLATIONS",
    "current",
    "install",
    "resolve",
    "translate",
]

SYSTEM: Final = ""
"""The language setting that means "follow the system locale"."""
LANGUAGES: Final = {"en": "English", "zh_CN": "简体中文"}
"""The languages the app speaks, each named in itself (a menu shows them untranslated)."""
CATALOGUE: Final = "kcpdesk"
TRANSLATIONS: Final = resources.path("translations")
SOURCE_DIRS: Final = ("app",)

_installed: list[QTranslator] = []  # Qt does not own installed translators: keep them alive
_current = ["en"]


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate reads
    """Mark ``text`` for the catalogue without translating it (yet): for text defined at
    import time; show it with ``translate(context, text)``. Typed, unlike PySide6's."""
    return text


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``text`` in the installed language (``text`` itself when there is no translation).

    Prefer ``"... ({count})"`` with ``str.format`` to Qt's ``%n`` plurals (``n``): Chinese has
    no plural forms, and lupdate's Python reader misses some plural calls.
    """
    return QCoreApplication.translate(context, text, disambiguation, n)


def resolve(setting: str, system: QLocale | None = None) -> str:
    """The language to load: ``setting`` when it names one, else the system locale's
    (any Chinese locale, Traditional included, reads Simplified better than English)."""
    if setting in LANGUAGES:
        return setting
    for tag in (system or QLocale.system()).uiLanguages():
        lang = tag.replace("-", "_").split("_")[0].lower()
        if lang == "zh":
            return "zh_CN"
        if lang == "en":
            return "en"
    return "en"


def install(setting: str = SYSTEM, app: QCoreApplication | None = None) -> str:
    """Load the chosen language's catalogues (ours and Qt's own, for standard buttons and
    dialogs) into ``app``; returns the language code in effect. English loads nothing.
    Replaces what an earlier call installed."""
    app = app or QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install() needs a QCoreApplication")
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    _current[0] = "en"
    lang = resolve(setting)
    if lang == "en":
        return lang
    if not _load(app, f"{CATALOGUE}_{lang}", [str(TRANSLATIONS)]):
        return "en"
    _load(app, f"qtbase_{lang}", _qt_translation_dirs())
    _current[0] = lang
    return lang


def _load(app: QCoreApplication, name: str, folders: list[str]) -> bool:
    """Install the catalogue ``name`` from the first folder that has it."""
    for folder in folders:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            _installed.append(translator)
            return True
    return False


def _qt_translation_dirs() -> list[str]:
    """Where Qt's own catalogues are: Qt's configured path, then the PySide6 package's (a
    frozen bundle keeps qtbase's there, packaging/kcpdesk.spec)."""
    import PySide6

    return [
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
        str(Path(PySide6.__file__).resolve().parent / "Qt" / "translations"),
    ]


def current() -> str:
    """The language ``install`` put in effect ("en" before any call)."""
    return _current[0]


# --- maintaining the catalogue ----------------------------------------------------------------


def ts_path(lang: str = "zh_CN") -> Path:
    return TRANSLATIONS / f"{CATALOGUE}_{lang}.ts"


def _tool(name: str) -> str:
    """``pyside6-lupdate``/``-lrelease`` of the running interpreter's environment."""
    return str(Path(sys.executable).with_name(f"pyside6-{name}"))


def source_files(root: Path) -> list[str]:
    """Every Python file lupdate reads (relative to ``root``, so locations are stable)."""
    return sorted(str(p.relative_to(root)) for d in SOURCE_DIRS for p in (root / d).rglob("*.py"))


def update(root: Path, ts: Path) -> None:
    """Add the marked strings of ``root``'s sources to ``ts`` (existing translations kept,
    strings no longer in the source dropped)."""
    files = source_files(root)
    cmd = [_tool("lupdate"), "-no-obsolete", "-locations", "none", *files, "-ts", str(ts)]
    subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True)


def release(ts: Path, qm: Path) -> None:
    """Compile ``ts`` into the binary ``qm`` the app loads."""
    cmd = [_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def main(argv: list[str]) -> int:
    """``python -m app.i18n update|release``: refresh the .ts from the source / build the .qm."""
    root = Path(__file__).resolve().parent.parent
    if argv[:1] == ["update"]:
        from app.core_text import catalog_source

        (root / "app" / "core_catalog.py").write_text(catalog_source(), "utf-8")

        for lang in LANGUAGES:
            if lang != "en":
                update(root, ts_path(lang))
        return 0
    if argv[:1] == ["release"]:
        for lang in LANGUAGES:
            if lang != "en":
                release(ts_path(lang), ts_path(lang).with_suffix(".qm"))
        return 0
    print("usage: python -m app.i18n update|release", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
