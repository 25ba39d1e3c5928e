"""App-only tokens for Microsoft Graph: msal client credentials, held in memory on our clock.

Why not python-o365's token handling (see ``bot.mail.graph`` for the whole choice):

- Its default ``FileSystemTokenBackend`` writes the token, unencrypted, to ``o365_token.txt``
  in the working directory. Here msal keeps its default in-memory cache and nothing is ever
  written anywhere: the secret comes from the environment (or a file the operator manages),
  the token lives in this process only.
- Its credentials-flow refresh (upstream issue #1195) decides "expired" from the token cache
  and the wall clock, and on a 401 it only refreshes when that check agrees; a token the
  server no longer honours is then never replaced. Here ``TokenSource`` renews a token
  ``REFRESH_MARGIN`` seconds before its ``expires_in`` runs out, measured on an injectable
  clock, and ``invalidate()`` (called on any 401) forces a genuinely new token from the
  token endpoint: msal's own cache is emptied first, because msal would otherwise hand back
  the cached token it still believes valid.

msal fetches the authority's OIDC metadata as soon as it is constructed, so the msal client is
built lazily, on the first token request: opening the app (for ``auditbot status``, say) never
touches the network. For any authority other than the public cloud's, instance discovery
(a call to login.microsoftonline.com) is switched off. TLS trust is requests' own, so
``REQUESTS_CA_BUNDLE`` applies.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.errors import AuditBotError

PUBLIC_CLOUD_HOST = "login.microsoftonline.com"
# Names of environment variables, not secrets.
SECRET_ENV = "AUDITBOT_CLIENT_SECRET"  # noqa: S105
SECRET_FILE_ENV = "AUDITBOT_CLIENT_SECRET_FILE"  # noqa: S105
PASSPHRASE_ENV = "AUDITBOT_CERTIFICATE_PASSPHRASE"  # noqa: S105
REFRESH_MARGIN = 300.0  # seconds before expiry at which a token is renewed


class CredentialError(AuditBotError):
    """No usable client credential: the message says what to set."""


class TokenError(AuditBotError):
    """The token endpoint refused; ``code`` is Entra's error (``AADSTS...`` in ``detail``)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def load_credential(
    certificate_path: Path | None,
    certificate_thumbprint: str | None,
    environ: Mapping[str, str] = os.environ,
) -> str | dict[str, str]:
    """The msal ``client_credential``: a certificate if configured (preferred), else a secret.

    The certificate file is PEM holding the private key and the certificate. With a
    thumbprint configured msal signs with SHA-1/RS256 (what older registrations show);
    without one it sends the certificate and signs with SHA-256/PS256.
    """
    if certificate_path is not None:
        try:
            pem = certificate_path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise CredentialError(
                f"cannot read certificate_path {certificate_path}: {exc}"
            ) from None
        if "PRIVATE KEY-----" not in pem:
            raise CredentialError(f"{certificate_path} holds no PEM private key")
        credential = {"private_key": pem}
        if certificate_thumbprint:
            credential["thumbprint"] = certificate_thumbprint.replace(":", "").strip()
        elif "BEGIN CERTIFICATE-----" in pem:
            start = pem.index("-----BEGIN CERTIFICATE-----")
            end = pem.index("-----END CERTIFICATE-----", start) + len("-----END CERTIFICATE-----")
            credential["public_certificate"] = pem[start:end]
        else:
            raise CredentialError(
                f"{certificate_path} holds no certificate: add it to the file "
                "or set certificate_thumbprint"
            )
        if environ.get(PASSPHRASE_ENV):
            credential["passphrase"] = environ[PASSPHRASE_ENV]
        return credential
    if environ.get(SECRET_ENV):
        return environ[SECRET_ENV]
    if environ.get(SECRET_FILE_ENV):
        path = Path(environ[SECRET_FILE_ENV])
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise CredentialError(f"cannot read {SECRET_FILE_ENV}={path}: {exc}") from None
        if not secret:
            raise CredentialError(f"{SECRET_FILE_ENV}={path} is empty")
        return secret
    raise CredentialError(
        f"no client credential: configure certificate_path (preferred), or set {SECRET_ENV}, "
        f"or {SECRET_FILE_ENV} naming a file that holds the secret"
    )


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float  # on the TokenSource's clock

    def roles(self) -> list[str]:
        """The application permissions (``roles`` claim) the token carries, if it is a JWT."""
        claims = _jwt_claims(self.value)
        roles = claims.get("roles", [])
        return [str(role) for role in roles] if isinstance(roles, list) else []


def _jwt_claims(value: str) -> dict[str, Any]:
    # Read, not verified: only to tell the operator which permissions were granted.
    parts = value.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


class TokenSource:
    """Bearer tokens for one app in one tenant, renewed before they expire or on demand."""

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        credential: str | dict[str, str],
        authority: str,
        scope: str,
        timeout: float,
        clock: Callable[[], float],
    ) -> None:
        if urlsplit(authority).scheme != "https":
            raise CredentialError(f"authority must be an https URL, not {authority!r}")
        self._authority_url = f"{authority.rstrip('/')}/{tenant_id}"
        self._public_cloud = urlsplit(authority).hostname == PUBLIC_CLOUD_HOST
        self._client_id = client_id
        self._credential = credential
        self._scope = scope
        self._timeout = timeout
        self._clock = clock
        self._app: Any = None
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.acquired = 0  # tokens fetched from the token endpoint, for tests and benchmarks

    def token(self) -> Token:
        with self._lock:
            if self._token is None or self._clock() >= self._token.expires_at - REFRESH_MARGIN:
                self._token = self._acquire()
            return self._token

    def invalidate(self, rejected: str | None = None) -> None:
        """Graph refused the token (401): the next ``token()`` fetches a new one."""
        with self._lock:
            if rejected is None or (self._token is not None and self._token.value == rejected):
                self._token = None

    def _client(self) -> Any:
        if self._app is None:
            import msal  # deferred: only a Graph deployment needs it

            try:
                self._app = msal.ConfidentialClientApplication(
                    self._client_id,
                    client_credential=self._credential,
                    authority=self._authority_url,
                    instance_discovery=None if self._public_cloud else False,
                    timeout=self._timeout,
                )
            except ValueError as exc:  # msal's word for "cannot read the OIDC metadata"
                raise TokenError("authority_unreachable", str(exc)) from None
        return self._app

    def _acquire(self) -> Token:
        app = self._client()
        # msal would answer from its own cache, judged by the wall clock; we only ask when our
        # clock (or a 401 from Graph) says the token is done, so a cached one is never wanted.
        cache = app.token_cache
        for entry in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
            cache.remove_at(entry)
        started = self._clock()
        try:
            result = app.acquire_token_for_client(scopes=[self._scope])
        except Exception as exc:  # requests' connection and TLS errors surface here
            raise TokenError("token_endpoint_unreachable", f"{type(exc).__name__}: {exc}") from None
        if "access_token" not in result:
            raise TokenError(
                str(result.get("error", "no_token")), str(result.get("error_description", ""))
            )
        self.acquired += 1
        expires_in = float(result.get("expires_in", 3599))
        return Token(result["access_token"], started + expires_in)
