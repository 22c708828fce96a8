"""/declaration: the declaration at a glance — where and when, its six clauses, who signed it."""

from __future__ import annotations

import discord

from bot.content.models import EntityType
from bot.i18n import language_for, t
from bot.rendering.clauses import EMBED_LIMIT, quote_text
from bot.rendering.style import BRAND_COLOUR
from bot.services.declaration import Overview, cut_label

# Below this a headline would say too little to be worth showing; the limits never come near it.
MIN_HEADLINE = 60


def overview_embed(overview: Overview, locale: discord.Locale | str) -> discord.Embed:
    declaration = overview.declaration
    headlines = [clause.headline for clause in declaration.clauses]
    embed = _overview(overview, locale, headlines)
    # Headlines are cut only if the whole embed would break Discord's limit (the declaration's do not).
    width = max(map(len, headlines), default=0)
    while len(embed) > EMBED_LIMIT and width > MIN_HEADLINE:
        width = max(MIN_HEADLINE, width - 50)
        embed = _overview(overview, locale, [cut_label(headline, width) for headline in headlines])
    return embed


def _overview(overview: Overview, locale: discord.Locale | str, headlines: list[str]) -> discord.Embed:
    declaration = overview.declaration
    lines = [
        f"**{quote_text(declaration.summit)}**",
        quote_text(declaration.co_chairs),
        quote_text(declaration.dates_place),
        quote_text(declaration.issued),
    ]
    embed = discord.Embed(
        title=declaration.title,
        url=declaration.source_url,
        description="\n".join(lines),
        colour=BRAND_COLOUR,
    )
    if language_for(locale) == "en":
        embed.add_field(
            name=t("declaration.overview.english_title", locale), value=declaration.english_title, inline=False
        )
    for clause, headline in zip(declaration.clauses, headlines, strict=True):
        name = t("declaration.ref.clause", locale, number=clause.number)
        embed.add_field(name=name, value=quote_text(headline), inline=False)
    for number in declaration.title_footnotes:
        note = declaration.footnote(number)
        embed.add_field(
            name=t("declaration.ref.footnote", locale, number=number), value=quote_text(note.text), inline=False
        )
    counts = overview.signatories
    signatories = "\n".join(
        [
            t("declaration.overview.states", locale, count=counts.get(EntityType.STATE, 0)),
            t("declaration.overview.european_union", locale, count=counts.get(EntityType.EUROPEAN_UNION, 0)),
            t(
                "declaration.overview.african_union_commission",
                locale,
                count=counts.get(EntityType.AFRICAN_UNION_COMMISSION, 0),
            ),
        ]
    )
    embed.add_field(
        name=t("declaration.overview.signatories", locale, count=overview.signatory_count),
        value=signatories,
        inline=False,
    )
    embed.add_field(name=t("declaration.overview.source", locale), value=declaration.source_url, inline=False)
    if language_for(locale) == "en":
        embed.add_field(
            name=t("declaration.overview.english_text", locale), value=declaration.english_text_url, inline=False
        )
    embed.set_footer(
        text=t(
            "declaration.overview.footer",
            locale,
            note=declaration.translation_note,
            clause=t("commands.clause.name", locale),
            search=t("commands.search.name", locale),
        )
    )
    return embed
