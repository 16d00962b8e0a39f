"""Test data for the rubric: a good reply to the customer for every scenario, written as a careful support
agent would (the next step, where the money goes, and no promise), and replies that break one point each."""

from __future__ import annotations

from guide.models import Path
from guide.rubric import ReplyPoint
from guide.training import scenarios

# Each scenario's model reply (guide/content/scenarios/*.json), written as a careful support agent would.
GOOD_REPLIES: dict[str, str] = {scenario_id: s.model_reply for scenario_id, s in scenarios().items()}

# One sentence each that breaks exactly one must-not point, appended to a good reply.
BAD: dict[ReplyPoint, str] = {
    ReplyPoint.NO_PROMISE_DATE: "You will get the refund by Friday.",
    ReplyPoint.NO_PROMISE_OUTCOME: "The seller will definitely accept, guaranteed.",
    ReplyPoint.NO_CANCEL_CLAIM: "I have cancelled the order for you.",
    ReplyPoint.NO_CREDENTIALS: "Please send me your password and card number so I can check.",
}

# A short reply naming one path's action and no other's.
ONLY_ACTION: dict[Path, str] = {
    Path.CANCEL_NOW: 'Please press "Cancel Order".',
    Path.REQUEST_CANCELLATION: "Please request a cancellation.",
    Path.WAIT: "Please wait.",
    Path.CONTACT_SELLER: "Please message the seller.",
    Path.OPEN_DISPUTE: "Please open a dispute.",
    Path.NOTHING_TO_DO: "There is nothing you need to do.",
}

# Neutral words that make a short text long enough to be judged, and break nothing.
PADDING = "Thank you for your message about this order today."
