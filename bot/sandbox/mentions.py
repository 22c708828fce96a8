"""Who a message would notify, per Discord's allowed_mentions rules.

- Only the content is parsed: mentions inside embeds never ping.
- No allowed_mentions: every user, role, @everyone and @here written in the content pings.
- With allowed_mentions: `parse` lists the kinds that ping freely ("users", "roles", "everyone");
  `users` / `roles` list the ids that may ping (only if they are in the content too);
  `replied_user` decides whether the author of the message replied to is pinged.
"""

from __future__ import annotations

import re
from typing import Any

from .models import NO_PINGS, Pings

USER_MENTION = re.compile(r"<@!?(\d{15,21})>")
ROLE_MENTION = re.compile(r"<@&(\d{15,21})>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)\b")


def parse_content(content: str) -> tuple[list[int], list[int], bool]:
    """(user ids, role ids, @everyone/@here present) as written in the content, in order, without repeats."""
    if not content or "@" not in content:
        return [], [], False
    users = list(dict.fromkeys(int(x) for x in USER_MENTION.findall(content)))
    roles = list(dict.fromkeys(int(x) for x in ROLE_MENTION.findall(content)))
    return users, roles, EVERYONE_MENTION.search(content) is not None


def compute_pings(content: str, allowed_mentions: dict[str, Any] | None, replied_author_id: int | None = None) -> Pings:
    users, roles, everyone = parse_content(content)
    if allowed_mentions is None:
        if not (users or roles or everyone or replied_author_id):
            return NO_PINGS
        return Pings(frozenset(users), frozenset(roles), everyone, replied_author_id)
    parse = set(allowed_mentions.get("parse") or ())
    allowed_users = {int(x) for x in allowed_mentions.get("users") or ()}
    allowed_roles = {int(x) for x in allowed_mentions.get("roles") or ()}
    pinged_users = frozenset(u for u in users if "users" in parse or u in allowed_users)
    pinged_roles = frozenset(r for r in roles if "roles" in parse or r in allowed_roles)
    replied = replied_author_id if allowed_mentions.get("replied_user") else None
    return Pings(pinged_users, pinged_roles, everyone and "everyone" in parse, replied)


def validate_allowed_mentions(allowed_mentions: dict[str, Any]) -> str | None:
    """Discord rejects `parse: ["users"]` together with a `users` list (same for roles)."""
    parse = set(allowed_mentions.get("parse") or ())
    for kind in ("users", "roles"):
        if kind in parse and allowed_mentions.get(kind):
            return kind
    return None
