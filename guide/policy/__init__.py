"""Policy: the cancellation assessment (path, verdict, likelihood, why). Profiles live in guide.profile."""

from guide.policy.assessment import Assessment, Reason, assess

__all__ = ["Assessment", "Reason", "assess"]
