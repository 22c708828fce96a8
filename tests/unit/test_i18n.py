"""Both languages are complete, and locales map to the language a member reads."""

import discord
import pytest

from bot.i18n import Catalog, get_catalog, language_for, t


def test_every_string_exists_in_french_and_english_with_the_same_placeholders():
    assert get_catalog().problems() == []


def test_the_checker_catches_a_missing_translation_and_a_placeholder_mismatch():
    catalog = Catalog({"en": {"a": "Hello {name}", "b": "Only English"}, "fr": {"a": "Bonjour {nom}"}})
    problems = catalog.problems()
    assert "b: missing or empty in fr" in problems
    assert any(problem.startswith("a: placeholders differ") for problem in problems)


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        (discord.Locale.french, "fr"),
        ("fr", "fr"),
        (discord.Locale.american_english, "en"),
        (discord.Locale.british_english, "en"),
        (discord.Locale.german, "en"),
        (None, "en"),
    ],
)
def test_locale_to_language(locale, language):
    assert language_for(locale) == language


def test_templates_are_formatted_after_translation():
    assert t("errors.cooldown", "fr", seconds=3) == "Doucement\u00a0: réessayez dans 3\u00a0s."
    assert t("errors.cooldown", discord.Locale.american_english, seconds=3) == "Slow down a little: try again in 3 s."


def test_command_names_follow_discords_rules():
    catalog = get_catalog()
    for lang in ("en", "fr"):
        for key in catalog.keys(lang):
            if key.startswith("commands.") and key.endswith(".name"):
                name = catalog.raw(key, lang)
                assert name == name.lower() and " " not in name and 1 <= len(name) <= 32, key
            if key.startswith("commands.") and key.endswith(".description"):
                assert 1 <= len(catalog.raw(key, lang)) <= 100, key
