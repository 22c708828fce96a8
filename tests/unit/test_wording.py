"""Every string reads as a native reader expects: French typography, plurals, English compound adjectives.

French follows the Imprimerie nationale convention (Lexique des règles typographiques en usage à
l'Imprimerie nationale): a narrow no-break space (U+202F) before ; ! ? and a no-break space (U+00A0)
before : and inside « guillemets »; French prose quotes with « », never "…" or “…”. The apostrophe is
the ASCII ' everywhere, as in the official French text the bot quotes verbatim (data/declaration/).
Placeholders, `code`, URLs, Discord timestamps and clock times (09:00) are not prose and are skipped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.events.dates import parse_event_date
from bot.events.models import Event, EventKind
from bot.i18n import get_catalog, t
from bot.i18n.catalog import Catalog, plural_form
from bot.reminders.leads import DAY, HOUR, MINUTE, WEEK, describe_leads
from bot.rendering.events import event_embed
from bot.rendering.reminders import channel_post, reminder_embed
from bot.rendering.style import discord_timestamp

NNBSP, NBSP = "\u202f", "\u00a0"

# What is not prose: placeholders, inline code, URLs, Discord timestamps/mentions, options typed as
# name:"value". A colon with no space after it (09:00, option:value, {hour:02d}) is not punctuation.
_NOT_PROSE = re.compile(r'\{[^{}]*\}|`[^`]*`|https?://\S*|<[^<>\s]+>|\w+:"[^"]*"')


def prose(text: str) -> str:
    return _NOT_PROSE.sub("X", text)


def strings(lang: str) -> list[tuple[str, str]]:
    catalog = get_catalog()
    return [(key, catalog.raw(key, lang)) for key in sorted(catalog.keys(lang))]


def french_typography_problems(text: str) -> list[str]:
    text = prose(text)
    found = []
    for match in re.finditer(r"(.?)([;!?:»])(?=\s|$)", text):
        before, mark = match.groups()
        wanted = NBSP if mark in ":»" else NNBSP
        if before != wanted:
            found.append(f"{before!r} before {mark!r}")
    for match in re.finditer(r"«(.?)", text):
        if match.group(1) != NBSP:
            found.append(f"{match.group(1)!r} after '«'")
    for mark in '"“”’':
        if mark in text:
            found.append(f"{mark!r} in French prose")
    return found


def test_every_french_string_follows_french_typography():
    problems = {key: found for key, text in strings("fr") if (found := french_typography_problems(text))}
    assert problems == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Doucement : réessayez.", "' ' before ':'"),
        ("Vraiment ?", "' ' before '?'"),
        ("Vraiment?", "'t' before '?'"),
        (f"Vraiment{NBSP}?", f"{NBSP!r} before '?'"),
        ("Ne plus suivre ; réessayer", "' ' before ';'"),
        ("Aucun passage ne contient « x ».", "' ' after '«'"),
        ('Le mot "énergie" manque.', "'\"' in French prose"),
        ("L’article", "'’' in French prose"),
    ],
)
def test_the_french_check_catches_each_mistake(text, problem):
    assert problem in french_typography_problems(text)


def test_the_french_check_lets_code_times_timestamps_and_placeholders_be():
    text = f"Exemple{NBSP}: `date: 2027-03-15 09:00` à 09:00, <t:1700000000:R>, {{minute:02d}}, https://x.org/?a=1"
    assert french_typography_problems(text) == []


def test_no_string_pluralises_with_parentheses_or_a_midpoint():
    # "event(s)", "modifié(s)", "autorisé·e": a plural table (`one`/`other`) or a rewording instead.
    pseudo_plural = re.compile(r"\w\((?:s|e|es)\)|\w·\w")
    found = [(lang, key) for lang in ("en", "fr") for key, text in strings(lang) if pseudo_plural.search(text)]
    assert found == []


def test_english_strings_use_no_french_spacing():
    found = [key for key, text in strings("en") if NBSP in text or NNBSP in text]
    assert found == []


def test_bold_and_code_markers_are_balanced_in_both_languages():
    found = [
        (lang, key)
        for lang in ("en", "fr")
        for key, text in strings(lang)
        if text.count("**") % 2 or text.count("`") % 2
    ]
    assert found == []


def test_no_break_spaces_stay_out_of_code_links_and_timestamps():
    # What a member types or Discord parses must keep its plain spaces: `/rappel suivre`, <t:…:R>.
    code = re.compile(r"`[^`]*`|\[[^\]]*\]\([^)]*\)|<[^<>]*>")
    found = [key for key, text in strings("fr") for part in code.findall(text) if NBSP in part or NNBSP in part]
    assert found == []


# --- plurals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "en", "fr"), [(0, "other", "one"), (1, "one", "one"), (2, "other", "other")])
def test_plural_rules_french_counts_zero_as_singular(count, en, fr):
    assert (plural_form(count, "en"), plural_form(count, "fr")) == (en, fr)


@pytest.mark.parametrize(
    ("count", "english", "french"),
    [
        (0, "0 followers will be told by DM.", "0 abonné sera prévenu par message privé."),
        (1, "1 follower will be told by DM.", "1 abonné sera prévenu par message privé."),
        (2, "2 followers will be told by DM.", "2 abonnés seront prévenus par message privé."),
    ],
)
def test_the_moderators_notice_agrees_with_its_count(count, english, french):
    assert t("reminders.admin.notified", "en", count=count) == english
    assert t("reminders.admin.notified", "fr", count=count) == french


@pytest.mark.parametrize(
    ("count", "english", "french"),
    [
        (1, "Your calendar: 1 event. Import it once; importing it again updates the same entry.",
         f"Votre calendrier{NBSP}: 1 événement. Importez-le une fois{NNBSP}; le réimporter met à jour la même entrée."),
        (2, "Your calendar: 2 events. Import it once; importing it again updates the same entries.",
         f"Votre calendrier{NBSP}: 2 événements. Importez-le une fois{NNBSP}; le réimporter met à jour les mêmes "
         "entrées."),
    ],
)  # fmt: skip
def test_the_calendar_feed_agrees_with_its_count(count, english, french):
    assert t("reminders.feed.ready", "en", count=count) == english
    assert t("reminders.feed.ready", "fr", count=count) == french


def test_the_history_footer_agrees_with_its_count():
    assert t("events.history.footer", "en", count=1) == "1 change recorded"
    assert t("events.history.footer", "en", count=3) == "3 changes recorded, latest first"
    assert t("events.history.footer", "fr", count=1) == "1 modification enregistrée"
    assert t("events.history.footer", "fr", count=3) == "3 modifications enregistrées, la plus récente d'abord"


def test_the_search_summary_agrees_with_its_count():
    assert t("search.summary", "en", count=1, query="x") == "1 passage contains “x”."
    assert t("search.summary", "en", count=2, query="x") == "2 passages contain “x”, most relevant first."
    assert t("search.summary", "fr", count=1, query="x") == f"1 passage contient «{NBSP}x{NBSP}»."
    assert t("search.summary", "fr", count=2, query="x") == (
        f"2 passages contiennent «{NBSP}x{NBSP}», les plus pertinents d'abord."
    )


@pytest.mark.parametrize(
    ("clauses", "english", "french"), [((6,), "clause 6", "article 6"), ((4, 6), "clauses 4, 6", "articles 4, 6")]
)
def test_an_event_names_its_clauses_in_the_singular_or_the_plural(clauses, english, french):
    event = forum().model_copy(update={"clauses": clauses})
    for lang, expected in (("en", english), ("fr", french)):
        fields = {field.name: field.value for field in event_embed(event, STARTS, lang).fields}
        assert fields[t("events.detail.clauses", lang)] == expected


@pytest.mark.parametrize(
    ("count", "english", "french"),
    [
        (2027, "2027 followers will be told by DM.", "2027 abonnés seront prévenus par message privé."),
        (10974, "10,974 followers will be told by DM.", f"10{NNBSP}974 abonnés seront prévenus par message privé."),
    ],
)
def test_large_quantities_are_grouped_by_thousands_as_each_language_writes_them(count, english, french):
    assert t("reminders.admin.notified", "en", count=count) == english
    assert t("reminders.admin.notified", "fr", count=count) == french


def test_a_number_with_a_format_spec_or_outside_the_quantities_is_left_as_it_is():
    catalog = Catalog({"en": {"a": "{count:05d} <@&{role}>"}, "fr": {"a": "{count:05d} <@&{role}>"}})
    assert catalog.t("a", "fr", count=12345, role=123456789012345678) == "12345 <@&123456789012345678>"


def test_a_plural_table_needs_its_other_form_in_every_language():
    catalog = Catalog({"en": {"a.one": "{count} file", "a.other": "{count} files"}, "fr": {"a.one": "{count} fichier"}})
    assert "a.one: a plural table needs an 'other' form" in catalog.problems()
    assert catalog.t("a", "fr", count=2) == "2 files"  # the missing French form falls back to English


# --- durations: as a noun phrase, and before a noun ("your 2-minute reminder") -------------------

STARTS = datetime(2027, 3, 15, 8, 0, tzinfo=UTC)
RELATIVE = discord_timestamp(STARTS, "R")
LEADS = {
    "1 minute": MINUTE,
    "2 minutes": 2 * MINUTE,
    "1 day": DAY,
    "2 days": 2 * DAY,
    "1 week": WEEK,
    "2 days 3 hours": 2 * DAY + 3 * HOUR,
}


def forum() -> Event:
    return Event(
        id=7, guild_id=1, key="ai-safety-forum-2027", name_en="AI Safety Forum", name_fr="Forum sur la sûreté de l'IA",
        kind=EventKind.FORUM, city="Geneva", country="CH", date=parse_event_date("2027-03-15 09:00", "Europe/Zurich"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("lead", "english", "french"),
    [
        ("1 minute", "your 1-minute reminder", "votre rappel 1 minute avant"),
        ("2 minutes", "your 2-minute reminder", "votre rappel 2 minutes avant"),
        ("1 day", "your 1-day reminder", "votre rappel 1 jour avant"),
        ("2 days", "your 2-day reminder", "votre rappel 2 jours avant"),
        ("1 week", "your 1-week reminder", "votre rappel 1 semaine avant"),
        ("2 days 3 hours", "your 2-day 3-hour reminder", "votre rappel 2 jours 3 heures avant"),
    ],
)
def test_the_reminder_names_its_lead_as_each_language_says_it(lead, english, french):
    seconds = LEADS[lead]
    for lang, expected in (("en", f"Starts {RELATIVE} — {english}."), ("fr", f"Commence {RELATIVE} — {french}.")):
        embed = reminder_embed(forum(), lang=lang, lead=seconds, reference="r1", server="Summit fans")
        assert embed.description == expected


@pytest.mark.parametrize("lead", list(LEADS))
def test_the_channel_post_counts_down_with_the_plain_duration(lead):
    french = lead.replace("minute", "minute").replace("days", "jours").replace("day", "jour").replace("hours", "heures")
    french = french.replace("week", "semaine")
    english_text, _ = channel_post(forum(), lang="en", lead=LEADS[lead], role_id=None, reference="r1", server=None)
    french_text, _ = channel_post(forum(), lang="fr", lead=LEADS[lead], role_id=None, reference="r1", server=None)
    assert english_text == f"⏰ **AI Safety Forum** starts {RELATIVE} ({lead} to go)."
    assert french_text == f"⏰ **Forum sur la sûreté de l'IA** commence {RELATIVE} (dans {french})."


def test_several_leads_read_as_a_list_of_plain_durations():
    leads = (WEEK, 2 * DAY + 3 * HOUR, MINUTE)
    assert describe_leads(leads, "en") == "1 week, 2 days 3 hours, 1 minute"
    assert describe_leads(leads, "fr") == "1 semaine, 2 jours 3 heures, 1 minute"
