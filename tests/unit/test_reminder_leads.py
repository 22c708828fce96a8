"""Lead times as members type and read them; the nonce and reference of the delivery ledger."""

import pytest

from bot.errors import InvalidInputError
from bot.reminders.leads import MAX_LEADS, describe_lead, describe_leads, lead_code, parse_leads
from bot.reminders.ledger import DeliveryKey
from bot.reminders.planning import Audience, DeliveryKind
from cogs.reminders import lead_suggestions

M, H, D, W = 60, 3600, 86400, 604800


@pytest.mark.parametrize(
    ("typed", "leads"),
    [
        ("1w", (W,)),
        ("1d, 1h", (D, H)),
        ("90m", (90 * M,)),
        ("2d 3h", (2 * D + 3 * H,)),  # parts combine into one lead
        ("1h 30m 15m", (H + 30 * M, 15 * M)),  # a unit written again starts a new lead
        ("15m, 1w; 1d", (W, D, 15 * M)),  # longest first
        ("1H", (H,)),
        ("2j", (2 * D,)),  # French "jour"
        ("  1 d ,  1 h ", (D, H)),
        ("1h, 60m", (H,)),  # the same lead once
        ("1m", (M,)),
        ("60d", (60 * D,)),
    ],
)
def test_typed_lead_times(typed, leads):
    assert parse_leads(typed) == leads


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "reminders.errors.bad_lead"),
        ("tomorrow", "reminders.errors.bad_lead"),
        ("1x", "reminders.errors.bad_lead"),
        ("1d and 1h", "reminders.errors.bad_lead"),
        ("-1h", "reminders.errors.bad_lead"),
        ("1.5h", "reminders.errors.bad_lead"),
        ("h", "reminders.errors.bad_lead"),
        ("1d" + ", 1d" * 60, "reminders.errors.bad_lead"),  # over 100 characters
        ("0m", "reminders.errors.lead_out_of_range"),
        ("61d", "reminders.errors.lead_out_of_range"),
        ("9w", "reminders.errors.lead_out_of_range"),
        ("1m, 2m, 3m, 4m, 5m, 6m", "reminders.errors.too_many_leads"),
    ],
)
def test_bad_lead_times_are_refused(typed, key):
    with pytest.raises(InvalidInputError) as refused:
        parse_leads(typed)
    assert refused.value.key == key


def test_the_limit_of_leads_per_subscription():
    assert len(parse_leads(", ".join(f"{n}m" for n in range(1, MAX_LEADS + 1)))) == MAX_LEADS


def test_lead_times_read_in_both_languages():
    assert describe_lead(W, "en") == "1 week"
    assert describe_lead(2 * D + 3 * H, "en") == "2 days 3 hours"
    assert describe_lead(90 * M, "fr") == "1 heure 30 minutes"
    assert describe_lead(8 * D, "fr") == "8 jours"
    assert describe_leads((H, D), "en") == "1 day, 1 hour"
    assert lead_code(H + 30 * M) == "1h 30m"


def test_autocomplete_reads_back_what_is_typed_and_adds_presets():
    suggestions = lead_suggestions("90m", "en")
    assert suggestions[0] == ("1 hour 30 minutes", "90m")
    assert ("1 week, 1 hour 30 minutes", "90m, 1w") in suggestions
    assert [value for _, value in lead_suggestions("", "fr")] == ["1w", "1d", "1h", "15m"]
    assert lead_suggestions("", "fr")[0][0] == "1 semaine"
    assert [value for _, value in lead_suggestions("nonsense", "en")] == ["1w", "1d", "1h", "15m"]
    assert all(len(label) <= 100 and len(value) <= 100 for label, value in lead_suggestions("1m," * 30, "en"))


def test_the_nonce_is_short_stable_and_differs_for_each_key():
    key = DeliveryKey(DeliveryKind.REMINDER, 7, "2027-03-15T08:00:00+00:00", Audience.DM, 42, 3600)
    assert key.nonce == DeliveryKey(DeliveryKind.REMINDER, 7, "2027-03-15T08:00:00+00:00", Audience.DM, 42, 3600).nonce
    assert len(key.nonce) <= 25 and key.nonce.isalnum()
    others = [
        DeliveryKey(DeliveryKind.SNOOZE, 7, key.instant, Audience.DM, 42, 3600),
        DeliveryKey(DeliveryKind.REMINDER, 8, key.instant, Audience.DM, 42, 3600),
        DeliveryKey(DeliveryKind.REMINDER, 7, "2027-03-16T08:00:00+00:00", Audience.DM, 42, 3600),
        DeliveryKey(DeliveryKind.REMINDER, 7, key.instant, Audience.CHANNEL, 42, 3600),
        DeliveryKey(DeliveryKind.REMINDER, 7, key.instant, Audience.DM, 43, 3600),
        DeliveryKey(DeliveryKind.REMINDER, 7, key.instant, Audience.DM, 42, 60),
    ]
    assert len({key.nonce, *(other.nonce for other in others)}) == 7
    assert key.reference == f"r-{key.nonce}"
