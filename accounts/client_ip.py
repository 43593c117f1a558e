"""The client's address, one rule for every limit (login lockout, API throttles,
password reset).

Only proxies we run may add to X-Forwarded-For, each appending the address it
received the request from; anything further left was written by the client and may
be forged. So with TRUSTED_PROXY_COUNT proxies in front of Kata the client is the
TRUSTED_PROXY_COUNT-th address from the right, and with none (the default) the
header is ignored and the client is the connection's address. This is DRF's
NUM_PROXIES rule, which base settings set from the same variable.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxy_count = settings.TRUSTED_PROXY_COUNT
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxy_count or not forwarded_for:
        return remote_addr
    addresses = [address.strip() for address in forwarded_for.split(",")]
    return addresses[-min(proxy_count, len(addresses))] or remote_addr
