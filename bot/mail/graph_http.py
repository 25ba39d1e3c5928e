"""One HTTP session to Microsoft Graph: token, timeout, throttling and pacing on every request.

What python-o365 2.1.10 leaves out, done here once for every call (``bot.mail.graph`` says
why O365 is not on this path at all):

- **A timeout on every request.** O365 sends none by default, so a stalled connection hangs
  the bot for ever.
- **429 and 503 with Retry-After honoured for every method.** O365 mounts urllib3's Retry,
  whose default ``allowed_methods`` leaves out POST and PATCH: sendMail, move and folder
  creation were never retried. Here any method waits as long as Graph asks (or backs off
  exponentially when it does not say) and tries again, up to ``max_attempts``; a wait longer
  than ``max_wait`` raises ``GraphThrottledError`` instead, so one tick never stalls for long.
  A 429 or 503 means Graph did not do the work, so retrying even sendMail is safe.
- **No silent retry of a request whose outcome is unknown.** requests' adapter keeps its
  default of zero retries. When the caller says so (``lost_is_unknown``, for sendMail), a
  timeout or dropped connection after the request went out, or a 500/502/504, raises
  ``SendOutcomeUnknownError``: the message may have gone, and only Sent Items can tell.
- **A 401 is answered by one forced token renewal** (``TokenSource.invalidate``) and one
  retry, never more.
- **The bearer token goes only to the configured Graph origin**: a paging link that points
  anywhere else is refused.

Time is injected (``clock``, ``sleep``) so tests and the benchmark can run an hour of
throttling and pacing in milliseconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from bot.errors import AuditBotError
from bot.mail.graph_auth import TokenSource
from bot.mail.transport import SendOutcomeUnknownError

log = logging.getLogger(__name__)

THROTTLED = (429, 503)
GATEWAY_FAILURES = (500, 502, 504)


class GraphError(AuditBotError):
    """Graph answered with an error; ``code`` is Graph's (``ErrorAccessDenied``, ...)."""

    def __init__(self, status: int, code: str, message: str, method: str, url: str) -> None:
        super().__init__(f"{method} {url}: HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    @property
    def permanent(self) -> bool:
        """Graph refused the request itself (a bad recipient, a message too large): sending
        it again would be refused again. Permissions and throttling can change."""
        return self.status in (400, 413)

    @classmethod
    def from_response(cls, response: requests.Response) -> GraphError:
        code, message = f"HTTP{response.status_code}", response.text[:300]
        try:
            error = response.json().get("error", {})
            code = str(error.get("code") or code)
            message = str(error.get("message") or message)
        except (ValueError, AttributeError):
            pass
        request_id = response.headers.get("request-id")
        if request_id:
            message = f"{message} (request-id {request_id})"
        request = response.request
        url = (request.url or "").split("?")[0] if request is not None else ""
        return cls(response.status_code, code, message, str(request.method), url)


class GraphThrottledError(GraphError):
    """Still throttled after the allowed retries; the request was not carried out."""


class GraphConnectionError(AuditBotError):
    """Graph could not be reached (or a read-only request timed out)."""


@dataclass
class HttpStats:
    requests: int = 0  # requests sent to Graph, retries included (token requests are not)
    throttled: int = 0  # 429/503 answers
    waited: float = 0.0  # seconds slept on Retry-After or back-off
    paced: float = 0.0  # seconds slept keeping under the send rate


class Pacer:
    """At most ``per_minute`` events a minute, evenly spaced: Exchange Online allows a
    mailbox 30 messages a minute, and a burst is answered with 429s."""

    def __init__(
        self, per_minute: int, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        if per_minute < 1:
            raise ValueError("send_per_minute must be at least 1")
        self.interval = 60.0 / per_minute
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    def wait(self) -> float:
        now = self._clock()
        slept = 0.0
        if self._next is not None and now < self._next:
            slept = self._next - now
            self._sleep(slept)
            now = max(self._clock(), self._next)
        self._next = now + self.interval
        return slept


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None  # absent, or an HTTP date: back off instead


def _never_sent(exc: requests.RequestException) -> bool:
    """True only when the request cannot have reached the server."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | NameResolutionError)


class GraphSession:
    def __init__(
        self,
        base_url: str,
        tokens: TokenSource,
        *,
        timeout: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        max_attempts: int = 6,
        max_wait: float = 120.0,
    ) -> None:
        if urlsplit(base_url).scheme != "https":
            raise ValueError(f"graph_url must be an https URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._origin = urlsplit(self.base_url)._replace(path="", query="", fragment="").geturl()
        self.tokens = tokens
        self.timeout = timeout
        self._clock = clock
        self._sleep = sleep
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self.stats = HttpStats()
        self._http = requests.Session()  # trusts REQUESTS_CA_BUNDLE; adapter retries: none

    def url(self, path_or_link: str) -> str:
        if path_or_link.startswith("https://") or path_or_link.startswith("http://"):
            if not path_or_link.startswith(self._origin + "/"):
                raise GraphConnectionError(
                    f"refusing to send the Graph token to {path_or_link.split('?')[0]}"
                )
            return path_or_link
        return f"{self.base_url}/{path_or_link.lstrip('/')}"

    def request(
        self,
        method: str,
        path_or_link: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        ok: Iterable[int] = (200,),
        lost_is_unknown: bool = False,
        pacer: Pacer | None = None,
    ) -> requests.Response:
        url = self.url(path_or_link)
        accepted = set(ok)
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            if pacer is not None:
                self.stats.paced += pacer.wait()
            token = self.tokens.token()
            sent_headers = {**(headers or {}), "Authorization": f"Bearer {token.value}"}
            self.stats.requests += 1
            try:
                response = self._http.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=sent_headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                where = f"{method} {url.split('?')[0]}"
                if lost_is_unknown and not _never_sent(exc):
                    # Sent, maybe carried out, answer lost: never retry blind.
                    raise SendOutcomeUnknownError(f"{where}: no answer ({exc})") from exc
                raise GraphConnectionError(f"{where}: {type(exc).__name__}: {exc}") from exc
            status = response.status_code
            if status in accepted:
                return response
            if status == 401 and not renewed:
                renewed = True
                log.info("Graph refused the token (401); renewing it once")
                self.tokens.invalidate(token.value)
                continue
            retryable = status in THROTTLED or (
                status in GATEWAY_FAILURES and method == "GET" and not lost_is_unknown
            )
            if lost_is_unknown and status in GATEWAY_FAILURES:
                raise SendOutcomeUnknownError(str(GraphError.from_response(response)))
            if not retryable:
                raise GraphError.from_response(response)
            delay = _retry_after(response)
            if delay is None:
                delay = min(2.0 ** (attempt - 1), 60.0)
            if attempt >= self.max_attempts or delay > self.max_wait:
                error = GraphError.from_response(response)
                raise GraphThrottledError(
                    error.status,
                    error.code,
                    f"{error.message} (after {attempt} tries)",
                    method,
                    url.split("?")[0],
                )
            if status in THROTTLED:
                self.stats.throttled += 1
            log.info("Graph answered %s; waiting %.1f s before try %d", status, delay, attempt + 1)
            self.stats.waited += delay
            self._sleep(delay)

    def get_json(self, path_or_link: str, params: Mapping[str, str] | None = None) -> Any:
        return self.request("GET", path_or_link, params=params).json()

    def close(self) -> None:
        self._http.close()
