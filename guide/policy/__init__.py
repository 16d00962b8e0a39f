"""Policy: profiles of configurable rules, and the cancellation assessment."""

from guide.policy.assessment import Assessment, Reason, assess
from guide.policy.profile import PolicyProfile, Rule, Span, default_profile, get_profile, load_profiles

__all__ = [
    "Assessment",
    "PolicyProfile",
    "Reason",
    "Rule",
    "Span",
    "assess",
    "default_profile",
    "get_profile",
    "load_profiles",
]
