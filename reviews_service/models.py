"""Every model, imported in one place so that migrations see the whole schema."""

from .catalog.models import Customer, Order, OrderEvent, OrderItem, OrderRefund, Product  # noqa: F401
from .connectors.models import Connection, Delivery  # noqa: F401
from .feedback.models import EditAfterReply, PrivateFeedback, PrivateReply, Thread  # noqa: F401
from .loyalty.models import Entry, Member, OrderPoints, Redemption, ReviewPoints  # noqa: F401
from .moderation.models import AuditEvent, ProblemAlert  # noqa: F401
from .outbox.models import OutboxMessage, WebhookEndpoint  # noqa: F401
from .ratings.models import ProductRating, ShopRating  # noqa: F401
from .referrals.models import (  # noqa: F401
    Coupon, CustomerVisit, Referral, ReferralClick, ReferralCode, ReviewIncentive, Reward)
from .reviews.models import Photo, Reply, Report, Review, ReviewRequest, ReviewRevision, Vote  # noqa: F401
from .shops.models import ApiKey, Membership, Shop, User  # noqa: F401
from .survey.models import SurveyAnswer  # noqa: F401
