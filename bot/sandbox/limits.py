"""Discord's size limits on what a bot sends, answered with 50035 Invalid Form Body like Discord does.

Each check adds to a FormErrors tree whose paths mirror the JSON sent (e.g. embeds.0.fields.3.value).
"""

from __future__ import annotations

from typing import Any

from .errors import FormErrors

CONTENT = 2000
EMBEDS = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
AUTHOR_NAME = 256
EMBED_TOTAL = 6000
ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
SELECT_OPTIONS = 25
SELECT_OPTION_TEXT = 100
SELECT_PLACEHOLDER = 150
COMPONENTS_V2_TOTAL = 40
CHOICES = 25
CHOICE_TEXT = 100
MODAL_TITLE = 45
TEXT_INPUT_LABEL = 45
COMMAND_NAME = 32
COMMAND_DESCRIPTION = 100
COMMAND_OPTIONS = 25
COMMANDS_CHAT_INPUT = 100
COMMANDS_CONTEXT_MENU = 5

IS_COMPONENTS_V2 = 1 << 15

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT = 1, 2, 3, 4
SELECT_TYPES = {3, 5, 6, 7, 8}
LINK_STYLE, PREMIUM_STYLE = 5, 6

# Locales Discord accepts in *_localizations.
LOCALES = frozenset(
    [
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    ]
)


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def check_message(payload: dict[str, Any], problems: FormErrors) -> None:
    """Limits on a message create/edit body (channel message, interaction response, webhook message)."""
    content = payload.get("content")
    if isinstance(content, str) and len(content) > CONTENT:
        problems.too_long(("content",), CONTENT)
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS:
        problems.too_many(("embeds",), EMBEDS)
    total = 0
    for index, embed in enumerate(embeds):
        total += check_embed(embed, ("embeds", index), problems)
    if total > EMBED_TOTAL:
        problems.add(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL}")
    components = payload.get("components") or []
    if int(payload.get("flags") or 0) & IS_COMPONENTS_V2:
        count = _count_components(components)
        if count > COMPONENTS_V2_TOTAL:
            problems.too_many(("components",), COMPONENTS_V2_TOTAL)
    elif len(components) > ACTION_ROWS:
        problems.too_many(("components",), ACTION_ROWS)
    for index, component in enumerate(components):
        check_component(component, ("components", index), problems)


def check_embed(embed: dict[str, Any], path: tuple[Any, ...], problems: FormErrors) -> int:
    """Checks one embed; returns the characters it counts toward the 6000 total."""
    total = 0
    for key, limit in (("title", EMBED_TITLE), ("description", EMBED_DESCRIPTION)):
        size = _length(embed.get(key))
        total += size
        if size > limit:
            problems.too_long((*path, key), limit)
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS:
        problems.too_many((*path, "fields"), EMBED_FIELDS)
    for index, field in enumerate(fields):
        for key, limit in (("name", FIELD_NAME), ("value", FIELD_VALUE)):
            value = field.get(key)
            if value is None or value == "":
                problems.required((*path, "fields", index, key))
            size = _length(value)
            total += size
            if size > limit:
                problems.too_long((*path, "fields", index, key), limit)
    footer_size = _length((embed.get("footer") or {}).get("text"))
    total += footer_size
    if footer_size > FOOTER_TEXT:
        problems.too_long((*path, "footer", "text"), FOOTER_TEXT)
    author_size = _length((embed.get("author") or {}).get("name"))
    total += author_size
    if author_size > AUTHOR_NAME:
        problems.too_long((*path, "author", "name"), AUTHOR_NAME)
    if total > EMBED_TOTAL:
        problems.add(path, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL}")
    return total


def check_component(component: dict[str, Any], path: tuple[Any, ...], problems: FormErrors) -> None:
    kind = component.get("type")
    children = component.get("components")
    if kind == ACTION_ROW:
        children = children or []
        buttons = [c for c in children if c.get("type") == BUTTON]
        selects = [c for c in children if c.get("type") in SELECT_TYPES]
        if len(buttons) > BUTTONS_PER_ROW or len(children) > BUTTONS_PER_ROW:
            problems.add((*path, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
        if selects and len(children) > 1:
            problems.add(
                (*path, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
    if kind == BUTTON:
        _check_button(component, path, problems)
    elif kind in SELECT_TYPES:
        _check_select(component, path, problems)
    elif _length(component.get("custom_id")) > CUSTOM_ID:
        problems.too_long((*path, "custom_id"), CUSTOM_ID)
    for index, child in enumerate(children or []):
        check_component(child, (*path, "components", index), problems)
    for key in ("component", "accessory"):  # layout components of components v2 hold one child
        if isinstance(component.get(key), dict):
            check_component(component[key], (*path, key), problems)


def _check_button(button: dict[str, Any], path: tuple[Any, ...], problems: FormErrors) -> None:
    if _length(button.get("label")) > BUTTON_LABEL:
        problems.too_long((*path, "label"), BUTTON_LABEL)
    style = button.get("style")
    if style == LINK_STYLE:
        if not button.get("url"):
            problems.required((*path, "url"))
    elif style != PREMIUM_STYLE:
        custom_id = button.get("custom_id")
        if not custom_id:
            problems.required((*path, "custom_id"))
        elif len(custom_id) > CUSTOM_ID:
            problems.too_long((*path, "custom_id"), CUSTOM_ID)


def _check_select(select: dict[str, Any], path: tuple[Any, ...], problems: FormErrors) -> None:
    custom_id = select.get("custom_id")
    if not custom_id:
        problems.required((*path, "custom_id"))
    elif len(custom_id) > CUSTOM_ID:
        problems.too_long((*path, "custom_id"), CUSTOM_ID)
    if _length(select.get("placeholder")) > SELECT_PLACEHOLDER:
        problems.too_long((*path, "placeholder"), SELECT_PLACEHOLDER)
    options = select.get("options")
    if select.get("type") == STRING_SELECT:
        if not options:
            problems.required((*path, "options"))
        elif len(options) > SELECT_OPTIONS:
            problems.too_many((*path, "options"), SELECT_OPTIONS)
        for index, option in enumerate(options or []):
            for key in ("label", "value", "description"):
                if _length(option.get(key)) > SELECT_OPTION_TEXT:
                    problems.too_long((*path, "options", index, key), SELECT_OPTION_TEXT)


def _count_components(components: list[dict[str, Any]]) -> int:
    count = 0
    for component in components:
        count += 1
        count += _count_components(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                count += _count_components([component[key]])
    return count


def check_autocomplete(data: dict[str, Any], problems: FormErrors) -> None:
    choices = data.get("choices")
    if choices is None:
        problems.required(("choices",))
        return
    if len(choices) > CHOICES:
        problems.too_many(("choices",), CHOICES)
    for index, choice in enumerate(choices):
        _check_choice(choice, ("choices", index), problems)


def _check_choice(choice: dict[str, Any], path: tuple[Any, ...], problems: FormErrors) -> None:
    name = choice.get("name")
    if not name:
        problems.required((*path, "name"))
    elif len(name) > CHOICE_TEXT:
        problems.too_long((*path, "name"), CHOICE_TEXT)
    value = choice.get("value")
    if isinstance(value, str) and len(value) > CHOICE_TEXT:
        problems.too_long((*path, "value"), CHOICE_TEXT)
    for locale, text in (choice.get("name_localizations") or {}).items():
        if locale not in LOCALES:
            problems.add((*path, "name_localizations", locale), "LOCALE_INVALID", "Invalid locale")
        elif not text or len(text) > CHOICE_TEXT:
            problems.too_long((*path, "name_localizations", locale), CHOICE_TEXT)


def check_modal(data: dict[str, Any], problems: FormErrors) -> None:
    title = data.get("title")
    if not title:
        problems.required(("title",))
    elif len(title) > MODAL_TITLE:
        problems.too_long(("title",), MODAL_TITLE)
    custom_id = data.get("custom_id")
    if not custom_id:
        problems.required(("custom_id",))
    elif len(custom_id) > CUSTOM_ID:
        problems.too_long(("custom_id",), CUSTOM_ID)
    components = data.get("components") or []
    if not components or len(components) > ACTION_ROWS:
        problems.add(("components",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    for index, component in enumerate(components):
        inner = component.get("component") or (component.get("components") or [{}])[0]
        label = component.get("label", inner.get("label"))
        if _length(label) > TEXT_INPUT_LABEL:
            problems.too_long(("components", index, "label"), TEXT_INPUT_LABEL)
        if _length(inner.get("custom_id")) > CUSTOM_ID:
            problems.too_long(("components", index, "custom_id"), CUSTOM_ID)


# -- application commands --------------------------------------------------------------------


def check_commands(commands: list[dict[str, Any]], problems: FormErrors) -> None:
    """A bulk overwrite: every command valid, no duplicate (type, name), within the per-type counts."""
    seen: set[tuple[int, str]] = set()
    counts: dict[int, int] = {}
    for index, command in enumerate(commands):
        check_command(command, (index,), problems)
        key = (int(command.get("type", 1)), command.get("name", ""))
        if key in seen:
            problems.add(
                (index, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique"
            )
        seen.add(key)
        counts[key[0]] = counts.get(key[0], 0) + 1
    if (
        counts.get(1, 0) > COMMANDS_CHAT_INPUT
        or counts.get(2, 0) > COMMANDS_CONTEXT_MENU
        or counts.get(3, 0) > COMMANDS_CONTEXT_MENU
    ):
        problems.add((), "APPLICATION_COMMANDS_TOO_MANY", "Too many application commands")


def check_command(command: dict[str, Any], path: tuple[Any, ...], problems: FormErrors) -> None:
    chat_input = int(command.get("type", 1)) == 1
    _check_name_and_description(command, path, problems, chat_input=chat_input)
    options = command.get("options") or []
    if not chat_input and options:
        problems.add(
            (*path, "options"), "APPLICATION_COMMAND_OPTIONS_INVALID", "Context menu commands cannot have options"
        )
    _check_options(options, (*path, "options"), problems)


def _check_name_and_description(
    item: dict[str, Any], path: tuple[Any, ...], problems: FormErrors, *, chat_input: bool
) -> None:
    names = {"": item.get("name")}
    names.update(item.get("name_localizations") or {})
    for locale, name in names.items():
        where = (*path, "name") if not locale else (*path, "name_localizations", locale)
        if locale and locale not in LOCALES:
            problems.add(where, "LOCALE_INVALID", "Invalid locale")
        elif not name or len(name) > COMMAND_NAME:
            problems.add(where, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {COMMAND_NAME} in length.")
        elif chat_input and not _valid_chat_input_name(name):
            problems.add(where, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    descriptions = {"": item.get("description")}
    descriptions.update(item.get("description_localizations") or {})
    for locale, description in descriptions.items():
        where = (*path, "description") if not locale else (*path, "description_localizations", locale)
        if locale and locale not in LOCALES:
            problems.add(where, "LOCALE_INVALID", "Invalid locale")
        elif chat_input and (not description or len(description) > COMMAND_DESCRIPTION):
            problems.add(where, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {COMMAND_DESCRIPTION} in length.")
        elif not chat_input and description:
            problems.add(
                where, "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION", "Context menu commands cannot have a description"
            )


def _valid_chat_input_name(name: str) -> bool:
    # Discord: ^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$ and lowercase where the script has cases.
    return name == name.lower() and all(ch.isalnum() or ch in "-_'" for ch in name)


def _check_options(options: list[dict[str, Any]], path: tuple[Any, ...], problems: FormErrors) -> None:
    if len(options) > COMMAND_OPTIONS:
        problems.too_many(path, COMMAND_OPTIONS)
    seen_optional = False
    names: set[str] = set()
    for index, option in enumerate(options):
        where = (*path, index)
        _check_name_and_description(option, where, problems, chat_input=True)
        if option.get("name") in names:
            problems.add(
                (*where, "name"), "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS", "Option names must be unique"
            )
        names.add(option.get("name", ""))
        kind = option.get("type")
        if kind in (1, 2):
            _check_options(option.get("options") or [], (*where, "options"), problems)
            continue
        if option.get("required"):
            if seen_optional:
                problems.add(
                    where,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if choices and option.get("autocomplete"):
            problems.add(
                (*where, "autocomplete"), "AUTOCOMPLETE_AND_CHOICES", "Autocomplete cannot be set with choices"
            )
        if len(choices) > CHOICES:
            problems.too_many((*where, "choices"), CHOICES)
        for choice_index, choice in enumerate(choices):
            _check_choice(choice, (*where, "choices", choice_index), problems)
