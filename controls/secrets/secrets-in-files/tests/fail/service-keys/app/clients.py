"""Service clients (test fixture: every key below is fake, in its vendor's format)."""

import os

ANTHROPIC = "sk-ant-api03-FakeKeyForTests0nly_NotReal-9876543210FakeKeyForTests0nly_NotReal-9876543210FakeKeyForTests0nAA"
OPENAI = "sk-proj-FakeKeyForTests0nly_NotReal-9876543210FakeKeyForTests0nly_NotReal-98765432T3BlbkFJFakeKeyForTests0nly_NotReal-9876543210FakeKeyForTests0nly_NotReal-98765432"

STRIPE = "sk_live_FakeStripeKey0123456789F"
MAPS = "AIzaFakeKeyForTests0nly_NotReal-9876543"
MAIL = "SG.FakeKeyForTests0nly_No.FakeKeyForTests0nly_NotReal-9876543210FakeK"
SMS_ACCOUNT = "AC0123456789abcdeffedcba9876543210"
STORAGE = "DefaultEndpointsProtocol=https;AccountName=fakestore;AccountKey=FakeAzureStorageKey+/0123456789FakeAzureStorageKey+/0123456789FakeAzureStorageKey+/012==;EndpointSuffix=core.windows.net"
DATABASE = "postgres://orders:Fake-Pa55word-0nly@db.internal:5432/orders"
CACHE = os.environ.get("CACHE_URL", "redis://localhost:6379/0")
