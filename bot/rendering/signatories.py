"""The /signatory answer, the /signatories pages and the country choices offered while typing."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.content.models import EntityType, Signatory
from bot.i18n import language_for, t
from bot.rendering.style import BRAND_COLOUR
from bot.services.countries import Country, signatory_code
from bot.services.signatories import LookupResult, SignatoryFilter, SignatoryListing, Signed

SIGNATORIES_PER_PAGE = 20
CHOICE_NAME_LENGTH = 100

SIGNED_COLOUR = discord.Colour(0x2E7D32)
NOT_SIGNED_COLOUR = discord.Colour(0x757575)

# The African Union has no flag among Discord's emoji; a globe says "organisation" without taking sides.
_EMBLEMS = {"AUC": "🌍"}
_REGIONAL_INDICATOR_A = 0x1F1E6

_ENTITY_KEYS = {
    EntityType.STATE: "signatories.entity.state",
    EntityType.EUROPEAN_UNION: "signatories.entity.organisation",
    EntityType.AFRICAN_UNION_COMMISSION: "signatories.entity.organisation",
}

_TITLE_KEYS = {
    SignatoryFilter.ALL: "signatories.list.title_all",
    SignatoryFilter.FOUNDING: "signatories.list.title_founding",
    SignatoryFilter.STATES: "signatories.list.title_states",
    SignatoryFilter.ORGANISATIONS: "signatories.list.title_organisations",
}


def flag(code: str) -> str:
    """The flag emoji of an ISO alpha-2 code ("FR" -> 🇫🇷, "EU" -> 🇪🇺), or the organisation's emblem."""
    if code in _EMBLEMS:
        return _EMBLEMS[code]
    if len(code) == 2 and code.isascii() and code.isalpha():
        return "".join(chr(_REGIONAL_INDICATOR_A + ord(letter) - ord("A")) for letter in code.upper())
    return "🏳️"


def signatory_name(signatory: Signatory, lang: str) -> str:
    return signatory.name_fr if lang == "fr" else signatory.name_en


def lookup_embed(result: LookupResult, locale: discord.Locale | str) -> discord.Embed:
    """The answer to /signatory: signed (where in the list, what kind, founding member) or not."""
    lang = language_for(locale)
    title = f"{flag(result.country.code)} {result.country.name(lang)}"
    if isinstance(result, Signed):
        signatory = result.signatory
        embed = discord.Embed(title=title, description=t("signatories.signed", locale), colour=SIGNED_COLOUR)
        embed.add_field(
            name=t("signatories.position", locale),
            value=t("signatories.position_value", locale, position=signatory.position, total=result.total),
        )
        embed.add_field(
            name=t("signatories.entity.label", locale), value=t(_ENTITY_KEYS[signatory.entity_type], locale)
        )
        if result.founding_note is not None:
            embed.add_field(
                name=t("signatories.founding.label", locale),
                value=t("signatories.founding.value", locale, footnote=result.founding_note.number),
                inline=False,
            )
    else:
        embed = discord.Embed(
            title=title,
            description=t(
                "signatories.not_signed",
                locale,
                total=result.total,
                command=t("commands.signatories.name", locale),
            ),
            colour=NOT_SIGNED_COLOUR,
        )
    if not result.exact:
        embed.set_footer(text=t("signatories.closest_match", locale))
    return embed


def listing_pages(
    listing: SignatoryListing, locale: discord.Locale | str, *, per_page: int = SIGNATORIES_PER_PAGE
) -> list[discord.Embed]:
    """/signatories: `per_page` lines a page, each page with the totals of the whole list."""
    lang = language_for(locale)
    title = t(_TITLE_KEYS[listing.selection], locale, count=len(listing.entries))
    intro = ""
    if listing.founding_note is not None:
        note = listing.founding_note
        intro = t("signatories.list.founding_intro", locale, footnote=note.number, text=note.text) + "\n\n"
    lines = [f"`{s.position:>2}.` {flag(signatory_code(s))} {signatory_name(s, lang)}" for s in listing.entries]
    chunks = [lines[start : start + per_page] for start in range(0, len(lines), per_page)] or [[]]
    totals = listing.totals
    totals_text = t(
        "signatories.list.totals_value",
        locale,
        total=totals.total,
        states=totals.states,
        european_union=totals.european_union,
        african_union_commission=totals.african_union_commission,
    )
    pages = []
    for chunk in chunks:
        body = "\n".join(chunk) if chunk else t("signatories.list.empty", locale)
        embed = discord.Embed(title=title, description=intro + body, colour=BRAND_COLOUR)
        embed.add_field(name=t("signatories.list.totals", locale), value=totals_text, inline=False)
        pages.append(embed)
    return pages


def country_choices(countries: list[Country], lang: str) -> list[app_commands.Choice[str]]:
    """Autocomplete choices: flag and name in the reader's language; the value is the stable code."""
    choices = []
    for country in countries:
        name = f"{flag(country.code)} {country.name(lang)}"
        if len(name) > CHOICE_NAME_LENGTH:
            name = name[: CHOICE_NAME_LENGTH - 1] + "…"
        choices.append(app_commands.Choice(name=name, value=country.code))
    return choices
