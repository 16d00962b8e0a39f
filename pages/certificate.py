"""Check a certificate: anyone with its link sees whether it is valid, revoked or unknown."""

from guide.ui.certificates import requested_id, verification_panel, verify_header
from guide.ui.state import visit

visit()  # as every page: a cold server's deep link reruns through the entry point (guide/ui/legacy_pages.py)
verify_header()
verification_panel(requested_id())
