"""Which language a page speaks.

Two sources meet on a pupil's page: the question texts come from the survey definition
(`SurveyDefinition.in_language`, any language the survey declares), the interface words (buttons,
messages, read-aloud phrases) from the Babel catalogs in `survey_app/translations/`. A
language the survey declares but no catalog covers (Polish questions, say) gets the
English interface.

Staff pages (every page whose view does not call `use_language`) speak the language a
teacher or coordinator chose in the header's menu (`choose_staff_language`), kept in the
session under its own key, so a pupil's choice and a teacher's never mix; English until
they choose.

A pupil's choice (the links on the first screen) is kept in the session, so it survives
"Next pupil" on a shared tablet; it is used only on surveys that declare that language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, gettext, refresh
from markupsafe import Markup

from forms import wording
from forms.definition import SurveyDefinition

#: The language interface strings are written in (the catalogs' msgids).
SOURCE = "en"
#: Session key of the language a pupil chose on the first screen.
CHOSEN = "lang"
#: Session key of the language a teacher or coordinator chose for the staff pages.
STAFF_CHOSEN = "staff_lang"
TRANSLATIONS = Path(__file__).parent / "translations"


@cache
def interface_languages() -> tuple[str, ...]:
    """English, then every language with a compiled catalog (one place: the folder)."""
    found = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.mo"))
    return (SOURCE, *[lang for lang in found if lang != SOURCE])


@cache
def translated_share(lang: str) -> float:
    """The share of the catalog's messages `lang` translates (1.0 for English, the
    messages' own language). The pupil's words are complete in every shipped catalog
    (tests/web/test_translations.py); a staff page may still be mostly English, and the
    staff menu says how much, rather than offer a language it mostly does not speak."""
    if lang == SOURCE:
        return 1.0
    from babel.messages.pofile import read_po

    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    messages = [m for m in catalog if m.id]
    done = sum(1 for m in messages
               if (all(m.string) if isinstance(m.string, tuple) else m.string))
    return done / len(messages) if messages else 0.0


def staff_language_label(lang: str) -> str:
    """A language as the staff menu offers it: its own name, and how much of the
    interface it covers when that is not all ("Cymraeg (9% translated)")."""
    share = translated_share(lang)
    if share >= 1.0:
        return language_name(lang)
    return gettext("%(language)s (%(percent)s%% translated)", language=language_name(lang),
                   percent=int(share * 100))


def init_languages(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=_interface_locale,
                   default_translation_directories=str(TRANSLATIONS))
    app.context_processor(_page_languages)
    app.before_request(_forget_page_language)
    app.jinja_env.globals.update(declared_languages=declared, language_name=language_name,
                                 staff_language=staff_language,
                                 staff_language_label=staff_language_label,
                                 interface_languages=interface_languages)


def _forget_page_language() -> None:
    """Start each request with no page language and no cached locale. A server gives each
    request its own `g`, but a request inside an app context already pushed (the tests'
    `app` fixture) shares it, and a pupil page's language would leak into the next page."""
    g.pop("page_lang", None)
    refresh()


def _page_languages() -> dict[str, object]:
    """`page_lang` for <html lang>; `ui_lang`, an attribute for the interface's words when
    they fall back to English on a page in a language without a catalog (screen readers
    and read-aloud then say them as English), empty otherwise."""
    lang = g.get("page_lang") or staff_language()
    ui = _interface_locale()
    return {"page_lang": html_lang(lang),
            "ui_lang": Markup(f' lang="{html_lang(ui)}"') if ui != lang else ""}


def _interface_locale() -> str:
    lang = g.get("page_lang") or staff_language()
    return lang if lang in interface_languages() else SOURCE


def staff_language() -> str:
    """The language of a page whose view chose none (the staff pages): the one chosen in
    the staff menu if a catalog still covers it, else English. Outside a request (the
    command line) always English."""
    if not has_request_context():
        return SOURCE
    chosen = session.get(STAFF_CHOSEN)
    return chosen if chosen in interface_languages() else SOURCE


def choose_staff_language(lang: str) -> bool:
    """Keep a teacher's choice for the staff pages; False (nothing kept) for a language
    no catalog covers."""
    if lang not in interface_languages():
        return False
    session[STAFF_CHOSEN] = lang
    refresh()
    return True


def html_lang(lang: str) -> str:
    """The `lang` attribute for a page in `lang`: British English for English (the
    read-aloud voice and spelling the app is written for), the code itself otherwise."""
    return "en-GB" if lang == SOURCE else lang


def use_language(lang: str) -> None:
    """Render the rest of this request in `lang` (the page's lang, Babel's catalog)."""
    g.page_lang = lang
    refresh()


def declared(survey: SurveyDefinition) -> tuple[str, ...]:
    """The languages a survey declares, its default first."""
    return survey.languages


def in_language(survey: SurveyDefinition, lang: str) -> SurveyDefinition:
    """`survey` with every text a plain string in `lang` (forms falls back to the
    survey's default language for a text not given in `lang`)."""
    return survey.in_language(lang)


def language_choices(surveys) -> list[tuple[str, str]]:
    """The new-collection page's choice of language: every language some survey in the
    list (models with `.latest.definition`) is written in, when any has more than one.
    Empty when every survey has one language: the page then shows no choice."""
    found: list[str] = []
    for s in surveys:
        langs = declared(s.latest.definition)
        if len(langs) > 1:
            found += [code for code in langs if code not in found]
    if not found:
        return []
    return [("", gettext("The survey's first language")),
            *((code, f"{language_name(code)} ({code})") for code in found)]


def pupil_language(declared: tuple[str, ...], default: str | None) -> str:
    """The language of a pupil's page: the pupil's choice if the survey declares it, then
    the collection's default, then the survey's first language."""
    chosen = session.get(CHOSEN)
    if chosen in declared:
        return chosen
    if default in declared:
        return default
    return declared[0] if declared else SOURCE


def remember_choice(lang: str, declared: tuple[str, ...]) -> bool:
    """Keep a pupil's choice from the first screen (?lang=cy) when the survey offers it."""
    if lang in declared:
        session[CHOSEN] = lang
        return True
    return False


def guess_language() -> str:
    """For a public page without a survey (join, not found): the pupil's earlier choice,
    then what the browser asks for, among the languages with a catalog."""
    chosen = session.get(CHOSEN)
    offered = interface_languages()
    if chosen in offered:
        return chosen
    return request.accept_languages.best_match(offered) or SOURCE


def language_name(lang: str) -> str:
    """A language's name in that language ("Cymraeg", "English"), for the switch links:
    forms' table of the languages a survey may declare."""
    return wording.language_name(lang)


def language_name_in(lang: str, interface: str) -> str:
    """`lang`'s name in the interface language (the note "cannot read Welsh aloud")."""
    try:
        return Locale.parse(lang).get_display_name(interface) or lang
    except (ValueError, UnknownLocaleError):
        return lang
