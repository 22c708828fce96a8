"""/signatory through the real bot and the emulator: signed, not a signatory, unknown, autocomplete.

Lists of cases are asked of one bot in a loop (each failure names its case): a bot started per case cost
~0.3 s each, ~40 s of the suite over both stores, for answers that depend on nothing but what is typed."""


from bot.content.loader import load_content

SIGNATORIES = load_content().signatories
BY_POSITION = {s.position: s for s in SIGNATORIES}
# A sample across the list: first and last, founding members, both organisations, renamed states.
SAMPLE = [1, 9, 13, 18, 19, 28, 37, 49, 55, 58, 59, 60]


def fields(embed) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


async def ask(world, member, typed, **kwargs):
    return await world.emulator.slash(member, world.general, "signatory", {"country": typed}, **kwargs)


def assert_no_ping(world, result):
    assert result.message["allowed_mentions"] == {"parse": []}
    assert world.emulator.message_pings(result.message).nothing


async def test_a_signatory_by_its_english_name_in_english(bot, world):
    for position in SAMPLE:
        signatory = BY_POSITION[position]
        result = await ask(world, world.member_en, signatory.name_en)
        assert not result.ephemeral, position
        (embed,) = result.embeds
        assert embed["title"].endswith(f" {signatory.name_en}")
        assert embed["description"] == "✅ Signed the Paris AI Action Summit declaration (11 February 2025)."
        assert fields(embed)["Position in the list"] == f"{position} of 60"
        assert "footer" not in embed, position  # an exact match needs no note


async def test_a_signatory_by_its_french_name_in_french(bot, world):
    for position in SAMPLE:
        signatory = BY_POSITION[position]
        result = await world.emulator.slash(world.member_fr, world.general, "signataire", {"pays": signatory.name_fr})
        (embed,) = result.embeds
        assert embed["title"].endswith(f" {signatory.name_fr}")
        assert embed["description"].startswith("✅ Signataire de la déclaration"), position
        assert fields(embed)["Rang dans la liste"] == f"{position} sur 60"


async def test_a_signatory_by_its_code(bot, world):
    for position in SAMPLE:
        signatory = BY_POSITION[position]
        code = signatory.iso2 or {59: "EU", 60: "AUC"}[position]
        result = await ask(world, world.member_en, code.lower())
        assert fields(result.embeds[0])["Position in the list"] == f"{position} of 60", code


async def test_a_founding_member_says_so_with_its_flag_and_type(bot, world):
    (embed,) = (await ask(world, world.member_en, "Kenya")).embeds
    assert embed["title"] == "🇰🇪 Kenya"
    assert fields(embed) == {
        "Position in the list": "28 of 60",
        "Type": "State",
        "Public-interest AI platform": "Founding member (footnote 2 of the declaration)",
    }
    (embed,) = (await ask(world, world.member_fr, "Allemagne")).embeds
    assert embed["title"] == "🇩🇪 Allemagne"
    assert fields(embed)["Plateforme de l'IA d'intérêt général"] == "Membre fondateur (note 2 de la déclaration)"
    assert fields(embed)["Type"] == "État"


async def test_a_signatory_that_is_not_a_founding_member_has_no_such_line(bot, world):
    assert "Public-interest AI platform" not in fields((await ask(world, world.member_en, "Japan")).embeds[0])


async def test_the_two_organisations(bot, world):
    (eu,) = (await ask(world, world.member_fr, "UE")).embeds
    assert eu["title"] == "🇪🇺 Union européenne"
    assert fields(eu) == {"Rang dans la liste": "59 sur 60", "Type": "Organisation internationale"}
    (auc,) = (await ask(world, world.member_en, "African Union Commission")).embeds
    assert auc["title"] == "🌍 African Union Commission"
    assert fields(auc) == {"Position in the list": "60 of 60", "Type": "International organisation"}


SHORT_FORMS = [
    ("Corée du Sud", "🇰🇷 République de Corée"),
    ("République de Corée", "🇰🇷 République de Corée"),
    ("Czechia", "🇨🇿 République tchèque"),
    ("Tchéquie", "🇨🇿 République tchèque"),
    ("Saint-Siège", "🇻🇦 Vatican"),
    ("Holy See", "🇻🇦 Vatican"),
    ("EAU", "🇦🇪 Emirats arabes unis"),
    ("Émirats", "🇦🇪 Emirats arabes unis"),
    ("EU", "🇪🇺 Union européenne"),
    ("CUA", "🌍 Commission de l'Union africaine"),
    ("Holland", "🇳🇱 Pays-Bas"),
    ("l’allemagne", "🇩🇪 Allemagne"),
    ("NIGERIA", "🇳🇬 Nigéria"),
]


async def test_short_forms_find_the_signatory_named_as_in_the_list(bot, world):
    for typed, title in SHORT_FORMS:
        result = await ask(world, world.member_fr, typed)
        (embed,) = result.embeds
        assert embed["title"] == title, typed
        assert embed["description"].startswith("✅"), typed


NOT_SIGNED = [
    ("United States", "🇺🇸 United States", "🇺🇸 États-Unis"),
    ("USA", "🇺🇸 United States", "🇺🇸 États-Unis"),
    ("États-Unis", "🇺🇸 United States", "🇺🇸 États-Unis"),
    ("UK", "🇬🇧 United Kingdom", "🇬🇧 Royaume-Uni"),
    ("Royaume-Uni", "🇬🇧 United Kingdom", "🇬🇧 Royaume-Uni"),
    ("Russia", "🇷🇺 Russia", "🇷🇺 Russie"),
    ("Israël", "🇮🇱 Israel", "🇮🇱 Israël"),
    ("Argentina", "🇦🇷 Argentina", "🇦🇷 Argentine"),
    ("Turquie", "🇹🇷 Türkiye", "🇹🇷 Turquie"),
    ("Türkiye", "🇹🇷 Türkiye", "🇹🇷 Turquie"),
    ("Egypt", "🇪🇬 Egypt", "🇪🇬 Égypte"),
    ("Arabie saoudite", "🇸🇦 Saudi Arabia", "🇸🇦 Arabie saoudite"),
    ("Pakistan", "🇵🇰 Pakistan", "🇵🇰 Pakistan"),
    ("Vietnam", "🇻🇳 Vietnam", "🇻🇳 Viêt Nam"),
    ("Philippines", "🇵🇭 Philippines", "🇵🇭 Philippines"),
    ("Iran", "🇮🇷 Iran", "🇮🇷 Iran"),
    ("Colombie", "🇨🇴 Colombia", "🇨🇴 Colombie"),
    ("Peru", "🇵🇪 Peru", "🇵🇪 Pérou"),
    ("Corée du Nord", "🇰🇵 North Korea", "🇰🇵 Corée du Nord"),
]


async def test_a_real_country_that_did_not_sign_is_told_so_plainly_in_both_languages(bot, world):
    for typed, title_en, title_fr in NOT_SIGNED:
        english = await ask(world, world.member_en, typed)
        assert not english.ephemeral, typed
        (embed,) = english.embeds
        assert embed["title"] == title_en
        assert embed["description"] == "Not among the 60 signatories of the declaration. The full list: /signatories"
        assert "fields" not in embed or embed["fields"] == [], typed
        (embed,) = (await ask(world, world.member_fr, typed)).embeds
        assert embed["title"] == title_fr
        assert embed["description"] == (
            "Ne figure pas parmi les 60 signataires de la déclaration. La liste complète\u00a0: /signataires"
        ), typed


async def test_a_typo_is_answered_for_the_closest_match_with_a_note(bot, world):
    (embed,) = (await ask(world, world.member_en, "Kenia")).embeds
    assert embed["title"] == "🇰🇪 Kenya"
    assert embed["footer"]["text"] == "Closest match to what you typed."
    (embed,) = (await ask(world, world.member_fr, "Allemangne")).embeds
    assert embed["title"] == "🇩🇪 Allemagne"
    assert embed["footer"]["text"] == "Correspondance la plus proche de votre saisie."
    (embed,) = (await ask(world, world.member_en, "Canda")).embeds
    assert embed["title"] == "🇨🇦 Canada"


async def test_unknown_with_suggestions_is_ephemeral_in_the_readers_language(bot, world):
    result = await ask(world, world.member_en, "Corée")
    assert result.ephemeral
    assert result.embeds == []
    assert result.content == (
        "No country or organisation matches “Corée”. Did you mean: Republic of Korea, North Korea, Norway, "
        "Comoros, Greece?"
    )
    result = await ask(world, world.member_fr, "Atlantis")
    assert result.ephemeral
    assert result.content.startswith(
        "Aucun pays ni organisation ne correspond à «\u00a0Atlantis\u00a0». Vouliez-vous dire\u00a0: "
    )


UNKNOWN = [
    ("zz", "“zz”"),
    ("x" * 2000, "“" + "x" * 39 + "…”"),
    ("🤖", "“🤖”"),
    ("'; DROP TABLE signatories; --", "“'; DROP TABLE signatories; --”"),
    ("**Atlantis** `x`", "“\\*\\*Atlantis\\*\\* \\`x\\`”"),
    ("@everyone", "“@\u200beveryone”"),
    ("@here Wakanda", "“@\u200bhere Wakanda”"),
]


async def test_unknown_input_gets_a_short_ephemeral_answer_never_an_error_never_a_ping(bot, world):
    for typed, shown in UNKNOWN:
        result = await ask(world, world.member_en, typed)
        assert result.ephemeral, typed
        assert result.content.startswith(f"No country or organisation matches {shown}.")
        assert "something went wrong" not in result.content
        assert_no_ping(world, result)


async def test_nothing_but_punctuation_asks_for_a_name(bot, world):
    result = await ask(world, world.member_fr, "!!!")
    assert result.ephemeral
    assert result.content.startswith("Aucun pays ni organisation ne correspond à «\u00a0!!!\u00a0»")
    result = await ask(world, world.member_en, "   ")
    assert result.ephemeral
    assert result.content == "Type the name or code of a country, for example France, FR or FRA."


async def test_answers_never_ping(bot, world):
    assert_no_ping(world, await ask(world, world.member_en, "France"))
    assert_no_ping(world, await ask(world, world.member_en, "United States"))


async def test_the_choice_follows_the_interactions_locale(bot, world):
    (embed,) = (await ask(world, world.member_en, "DE", locale="fr")).embeds
    assert embed["title"] == "🇩🇪 Allemagne"


# --- Autocomplete -----------------------------------------------------------------------------------


async def complete(world, member, typed):
    return await world.emulator.autocomplete(member, world.general, "signatory", {"country": typed}, focused="country")


async def test_autocomplete_offers_names_in_english_with_flags_and_codes_as_values(bot, world):
    choices = await complete(world, world.member_en, "germ")
    assert choices[0] == {"name": "🇩🇪 Germany", "value": "DE"}
    choices = await complete(world, world.member_en, "united")
    assert choices[0] == {"name": "🇦🇪 United Arab Emirates", "value": "AE"}  # the signatory first
    assert {"name": "🇬🇧 United Kingdom", "value": "GB"} in choices[1:5]
    assert {"name": "🇺🇸 United States", "value": "US"} in choices[1:5]


async def test_autocomplete_in_french(bot, world):
    choices = await complete(world, world.member_fr, "all")
    assert choices[0] == {"name": "🇩🇪 Allemagne", "value": "DE"}
    choices = await complete(world, world.member_fr, "cor")
    assert [choice["name"] for choice in choices[:2]] == ["🇰🇷 République de Corée", "🇰🇵 Corée du Nord"]
    choices = await complete(world, world.member_fr, "ue")
    assert choices[0] == {"name": "🇪🇺 Union européenne", "value": "EU"}


async def test_autocomplete_with_nothing_typed_lists_signatories_alphabetically(bot, world):
    choices = await complete(world, world.member_fr, "")
    assert len(choices) == 25
    assert [choice["value"] for choice in choices[:3]] == ["ZA", "DE", "AM"]


async def test_autocomplete_stays_within_discords_limits(bot, world):
    for typed in ["a", "e", "re", "x" * 2000, "🤖", "@everyone", "Kenia"]:
        choices = await complete(world, world.member_en, typed)
        assert len(choices) <= 25, typed
        assert all(1 <= len(c["name"]) <= 100 and 1 <= len(c["value"]) <= 100 for c in choices), typed


async def test_the_value_autocomplete_sends_is_answered(bot, world):
    for choice in (await complete(world, world.member_en, "cor"))[:2]:
        (embed,) = (await ask(world, world.member_en, choice["value"])).embeds
        assert embed["title"] == choice["name"]
