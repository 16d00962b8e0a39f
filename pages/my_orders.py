"""My Orders: tabs, a search bar and one card an order, each with Details."""

from guide.content import text
from guide.ui.orders import my_orders_panel, needs_sign_in
from guide.ui.state import go, visit
from guide.ui.widgets import page_header

here = visit()
page_header(text("orders", "title"), here.sandbox.clock)
if not needs_sign_in(here, key="my_orders_page"):
    here.did("opened_my_orders", "yes")
    my_orders_panel(here, key="my_orders_page", on_details=lambda order_id: go("order_details", order=order_id))
