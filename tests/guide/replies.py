"""Test data for the rubric: a good reply to the customer for every scenario, written as a careful support
agent would (the next step, where the money goes, and no promise), and replies that break one point each."""

from __future__ import annotations

from guide.models import Path
from guide.rubric import ReplyPoint

GOOD_REPLIES: dict[str, str] = {
    "e01-unpaid-wrong-size": (
        "Hi, thanks for getting in touch. Because you have not paid yet, you can cancel the order yourself straight "
        'away: open My Orders, open the dress order and press "Cancel Order", then pick a reason such as "I don\'t '
        'need this order". Nothing was paid, so there is nothing to refund. Then simply place a new order in size L.'
    ),
    "e02-earbuds-gift-duplicate": (
        "Hello, and sorry about the double gift! Your order is paid and waiting for shipment, so there is no "
        'instant cancel button any more, but you can request a cancellation: open the order, press "Request Order '
        'Cancellation" and pick a neutral reason such as "I don\'t need this order anymore". The seller then '
        "approves or refuses, so I cannot promise it will work. If it is approved, the money goes back to your "
        "card, usually in 3 to 20 business days, and your bank may take 7 to 15 more days to show it."
    ),
    "e03-duplicate-order-unpaid": (
        "Hi, no problem, this is easy to fix. You have not paid yet, so you can cancel one of the two orders "
        'yourself right away: open My Orders, open one of them, press "Cancel Order" and choose "I placed a '
        'duplicate order". Keep the other order as it is. No payment was made, so there is nothing to refund.'
    ),
    "e04-request-sent-yesterday": (
        'Hello, your request reached the seller, and that is what "Awaiting cancellation" means. There is nothing '
        "you need to click now: please wait for the seller's answer. The seller has 48 hours to answer; if they say "
        "nothing in that time, the order closes and is refunded by itself. If it is cancelled, the money goes back "
        "to your card, usually in 3 to 20 business days, and your bank may add a few more days."
    ),
    "e05-shipped-phone-case": (
        "Hi, I'm sorry, but once an order has shipped there is no cancel button any more. The best step now is to "
        'message the seller through "Contact seller" and ask whether they would agree to a refund; you can also '
        "refuse the parcel at the door when the courier brings it. The seller decides, so I can't promise a refund. "
        "If they agree, the money goes back to your card, usually in 3 to 20 business days, plus any time your bank "
        "needs."
    ),
    "e06-where-is-my-refund": (
        "Hello, I understand the wait is frustrating. Your order is already cancelled and the refund has started, "
        "so there is nothing more you need to do. Card refunds usually take 3 to 20 business days, and your bank "
        'may add 7 to 15 business days after the refund shows as "Refund completed", so two days is still normal. '
        "The money goes back to the card you paid with."
    ),
    "e07-closed-before-paying": (
        "Hi, I'm sorry, a closed order cannot be opened again. This one closed by itself because it was not paid "
        "in time, so there is nothing to do on it, and as nothing was paid there is nothing to refund. If you still "
        "want the lamp, simply order it again."
    ),
    "e08-balance-bike-light": (
        "Hi, your order is paid and the seller has not shipped it yet, so you can ask for a cancellation: open the "
        'order, press "Request Order Cancellation" and pick a neutral reason like "I don\'t need this order '
        'anymore". The seller approves or refuses it. If it is approved, the money goes back to your AliExpress '
        "balance, which is usually faster than a card refund."
    ),
    "e09-dispute-already-open": (
        "Hello, you have already done the right thing: your dispute is open, so there is no need to cancel the "
        "order as well. Now please wait for the seller's answer: they have 5 days to reply, and if they do not, the "
        "refund happens by itself. If the seller disagrees, AliExpress looks at the case and decides. If you get a "
        "refund, it goes back to your card, usually in 3 to 20 business days, plus any time your bank needs."
    ),
    "h01-ship-by-in-hours": (
        "Hi, it is not too late, but please act today. Your order has not shipped yet, so request a cancellation "
        'now: open the order, press "Request Order Cancellation" and choose a neutral reason. The seller must '
        "answer or ship before the ship-by deadline, and shipping counts as a refusal, so it may work or it may "
        "not; waiting only gives the seller more time to ship. If the cancellation goes through, the money goes "
        "back to your card, usually in 3 to 20 business days, and your bank may need 7 to 15 more."
    ),
    "h02-seller-ships-anyway": (
        "Hello, I'm sorry, I understand this is annoying. When a seller ships instead of answering, the request "
        "counts as refused, and once an order has shipped there is no cancel button. What you can do now is "
        'contact the seller through "Contact seller" and ask them to agree to a refund, or refuse the parcel at '
        'the door when the courier brings it. A "not received" dispute only opens later, when the buyer '
        "protection period ends. If the seller agrees to refund, the money goes back to your card, usually in 3 "
        "to 20 business days, plus any time your bank needs."
    ),
    "h03-partial-shipment": (
        "Hi, once part of an order has shipped, the cancel button goes away for the whole order. Please message "
        "the seller and ask them not to send the charger, or to agree to a partial refund for it. The seller "
        "decides, so I can't say for sure what they will answer. Anything they agree to refund goes back to your "
        "card, usually in 3 to 20 business days, plus any time your bank needs."
    ),
    "h04-verification-help-centre-2020": (
        "Hello, it is not a bug. Your payment is still being checked, which takes up to 24 hours and is usually "
        "quicker, and under the rules for this order the cancel button stays hidden until the check is done. "
        'Please wait until the status changes to "Awaiting shipment", then request a cancellation in the order. '
        "If it is cancelled, the money goes back to your card, usually in 3 to 20 business days, and your bank may "
        "add 7 to 15 more."
    ),
    "h05-cod-paid-at-door-broken": (
        "Hello, I'm sorry the blender arrived broken. A delivered order can no longer be cancelled, but you can "
        "open a dispute for the broken item now (or use Free Return if the order offers it); add photos of the "
        "damage. Please know before you start that money paid in cash on delivery is refunded as a coupon in your "
        "AliExpress account, not as cash."
    ),
    "h06-completed-16-days": (
        "Hi, I'm sorry the lamp is flickering. The order was completed more than 15 days ago, so the time for a "
        "dispute or Free Return has ended and the order can no longer be cancelled. The seller is the one who can "
        "still help: please message the seller, describe the problem and ask for a replacement or a refund. If the "
        "seller agrees to refund you, the money goes back to your card, usually in 3 to 20 business days, plus any "
        "time your bank needs."
    ),
    "h07-frozen-order": (
        "Hello, I understand your frustration. The order is frozen because the seller is being investigated, and "
        "while that runs nobody can change the order, us included. Please wait until the investigation ends; the "
        "order then goes back to its normal status and you can act on it from there. If it is cancelled then, the "
        "money goes back to your card, usually in 3 to 20 business days, plus any time your bank needs."
    ),
    "h08-seller-refused": (
        "Hi, I'm sorry the seller refused. There is no button to send the cancellation request a second time. "
        "Please message the seller instead and try to agree on cancelling; if they ship anyway, you can refuse the "
        'parcel at the door or open a dispute later. Please do not pick "The supplier refuses to ship": the seller '
        "refused the cancellation, not the shipping, so that reason would be unfair to them. If a refund is "
        "agreed, the money goes back to your card, usually in 3 to 20 business days, plus any time your bank needs."
    ),
    "h09-seller-silent-past-window": (
        "Hello, good news: the seller did not answer within 48 hours, so the order was cancelled automatically and "
        "the refund is now being processed. You don't need to open a dispute or write to the seller; there is "
        "nothing more to do. The money goes back to your card, usually in 3 to 20 business days, and your bank may "
        'add 7 to 15 more after it shows as "Refund completed".'
    ),
    "m01-verification-current-guides": (
        'Hi, yes, you can still cancel. While the payment is being verified, the "Cancel Order" button still works, '
        'so open the order and cancel it yourself now, with a reason such as "I don\'t need this order". The money '
        "then goes back to your card, usually in 3 to 20 business days, and your bank may add a few more days."
    ),
    "m02-bank-transfer-drill": (
        "Hello, your order is paid and has not shipped yet, so you can request a cancellation: open the order, "
        'press "Request Order Cancellation" and choose a neutral reason. The seller approves or refuses it. Please '
        "note that money paid by bank transfer does not go straight back to your bank: it is refunded to your "
        "Alipay / AliExpress account."
    ),
    "m03-klarna-rug": (
        "Hi! Your rug is paid and has not shipped yet, so you can request a cancellation: open the order, press "
        '"Request Order Cancellation" and pick a neutral reason such as "I don\'t need this order anymore". The '
        "seller approves or refuses. If it is cancelled, the money goes back to the original payment method, "
        "Klarna; AliExpress does not confirm how long Klarna refunds take, so I can't give you a number of days."
    ),
    "m04-seller-out-of-stock": (
        "Hello, yes, that is fine. Since the seller cannot send the green one, request a cancellation in the order "
        'and choose the reason "The supplier said the product(s) I want is out of stock": here it is true, so it '
        "is a fair reason. The seller then answers the request. Once it is cancelled, the money goes back to your "
        "card, usually in 3 to 20 business days, and your bank may add 7 to 15 more."
    ),
    "m05-custom-name-necklace": (
        "Hi, I'm sorry about the typo. The order is paid and not shipped yet, so request a cancellation straight "
        "away with a neutral reason, and also message the seller quickly to tell them about the typo. Customised "
        "items often cannot be cancelled once the seller has started, so the request may be refused. If it is "
        "cancelled, the money goes back to your card, usually in 3 to 20 business days, plus any time your bank "
        "needs."
    ),
    "m06-cod-smartwatch": (
        "Hello, no, cancelling costs you nothing. With cash on delivery you only pay at the door, so nothing has "
        "been paid yet. The order has not shipped, so request a cancellation in the order with a neutral reason "
        'such as "I don\'t need this order anymore"; the seller then approves or refuses it.'
    ),
    "m07-completed-14-days": (
        "Hi, a completed order can no longer be cancelled, but you can still open a dispute or use Free Return: "
        "you have 15 days after completion and you are on day 14, so please do it today, as tomorrow is the last "
        "day. If the return or dispute is accepted, the money goes back to your card, usually in 3 to 20 business "
        "days, plus any time your bank needs."
    ),
    "m08-not-arrived-paypal": (
        "Hello, I'm sorry the parcel is taking so long. A shipped order cannot be cancelled, and with normal "
        'tracking a "not received" dispute only opens once the buyer protection period ends, not on day 12. For '
        "now, please message the seller to ask about the delivery, and keep waiting; if it has not arrived when "
        "the protection period ends, you can open a dispute then. Any refund goes back to the original payment "
        "method, your PayPal, and I can't say how many days that takes."
    ),
    "m09-strict-window-60-hours": (
        "Hi, under the rules for your order the seller has 72 hours to answer, not 48, so after about 60 hours your "
        "request is still inside that time. Please wait a little longer: if the seller stays silent for the whole "
        "72 hours, the order closes and is refunded by itself. The money then goes back to your card, usually in 3 "
        "to 20 business days, and your bank may add 7 to 15 more."
    ),
    "m10-cod-shipped-refuse": (
        "Hello, no problem. Your order has shipped, so there is no cancel button, but as it is cash on delivery you "
        "have not paid anything yet. Please message the seller to say you no longer want it, and refuse the parcel "
        "at the door when the courier brings it. Then you pay nothing, and there is nothing to refund."
    ),
}

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
