"""My Orders puts a paid order being verified under "To ship"; the rules page reads protection by country."""

from __future__ import annotations

from guide.content import text
from guide.models import Status
from guide.profile import get_profile
from guide.store import Store
from tests.pages.helpers import first_order, no_exception, open_page, order_card_keys, table_column

KEY = "my_orders_page"


def tab_ids(store: Store, sandbox: str, tab: str, search: str) -> list[str]:
    at = open_page("my_orders", sandbox)
    at.segmented_control(key=f"{KEY}_tab").set_value(tab)
    at.text_input(key=f"{KEY}_search").input(search).run()
    no_exception(at)
    return order_card_keys(at, KEY)


def test_payment_being_verified_is_under_to_ship_not_to_pay(store: Store, sandbox: str):
    """DOMAIN.md: Buyer-facing statuses: it is a paid order, and "To pay" would invite a second payment."""
    verifying = first_order(store, sandbox, Status.PAYMENT_VERIFICATION)
    assert tab_ids(store, sandbox, "to_ship", verifying.id) == [verifying.id]
    assert tab_ids(store, sandbox, "to_pay", verifying.id) == []


def test_the_rules_page_shows_protection_by_country(store: Store, sandbox: str):
    at = open_page("rules", sandbox)
    no_exception(at)
    rows = dict(zip(table_column(at, text("rules", "rule")), table_column(at, text("rules", "value")), strict=True))
    shown = rows[text("rule_name", "delivery_guarantee_days")]
    rule = get_profile().delivery_guarantee_days.value
    assert shown.startswith(text("rule_value", "by_country", default=f"{rule.default:g}", countries=""))
    for country, days in rule.by_country.items():
        assert text("rule_value", "country_days", days=f"{days:g}", country=country) in shown
