"""Every command, option and choice the bot registers has a French and an English text.

The translator only answers for strings that carry a catalogue key, so a French localization on
every registered name and description proves each one went through the translation layer.
"""


def localizable(payload, path=()):
    """Every (where, object) in a command payload that Discord localizes."""
    here = (*path, payload["name"])
    yield here, payload
    for option in payload.get("options", []):
        yield from localizable(option, here)
    for choice in payload.get("choices", []):
        yield (*here, str(choice["value"])), {"choice": True, **choice}


async def test_every_registered_string_has_french_and_english(bot, world):
    commands = world.emulator.registered_commands()
    assert commands, "the bot registered no command"
    for command in commands:
        for where, item in localizable(command):
            assert item["name"] and (item.get("name_localizations") or {}).get("fr"), where
            if "choice" not in item:
                assert item["description"] and (item.get("description_localizations") or {}).get("fr"), where
