"""The stand-in's Microsoft Entra ID: OIDC metadata and the client-credentials token endpoint.

Secrets are compared; certificate assertions are verified as Entra does (the registered
certificate's thumbprint in ``x5t`` or ``x5t#S256``, the signature, the audience, the issuer).
Issued tokens are JWT-shaped with the consented application permissions in ``roles``, and
expire on the shared simulated clock.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes


@dataclass
class Reply:
    status: int
    body: Any = None  # dict -> JSON, bytes -> as is, None -> empty
    headers: dict[str, str] = field(default_factory=dict)


class IdentityEndpoints:
    """Mixed into the stand-in, which holds the tenant, the app and the issued tokens."""

    tenant_id: str
    client_id: str
    client_secret: str | None
    certificate: x509.Certificate | None
    roles: set[str]
    token_lifetime: int
    tokens: dict[str, tuple[float, frozenset[str]]]
    clock: Callable[[], float]
    _lock: threading.Lock
    base: Any

    # -- identity --------------------------------------------------------------------------

    def _oidc(self, tenant: str) -> Reply:
        if tenant != self.tenant_id:
            return Reply(
                400,
                {
                    "error": "invalid_tenant",
                    "error_description": f"AADSTS90002: Tenant '{tenant}' not found.",
                },
            )
        root = f"{self.base}/{tenant}"
        return Reply(
            200,
            {
                "token_endpoint": f"{root}/oauth2/v2.0/token",
                "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
                "issuer": f"{root}/v2.0",
                "jwks_uri": f"{root}/discovery/v2.0/keys",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            },
        )

    def _token(self, tenant: str, path: str, body: bytes) -> Reply:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}

        def refuse(status: int, error: str, description: str) -> Reply:
            return Reply(
                status,
                {
                    "error": error,
                    "error_description": description,
                    "error_codes": [int(description[6 : description.index(":")])],
                },
            )

        if tenant != self.tenant_id:
            return refuse(400, "invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return refuse(400, "unsupported_grant_type", "AADSTS70003: grant type not supported.")
        if form.get("client_id") != self.client_id:
            return refuse(
                400,
                "unauthorized_client",
                f"AADSTS700016: Application with identifier '{form.get('client_id')}' "
                "was not found in the directory.",
            )
        if not form.get("scope", "").endswith("/.default"):
            return refuse(400, "invalid_scope", "AADSTS1002012: The provided scope is invalid.")
        if "client_assertion" in form:
            problem = self._check_assertion(form["client_assertion"], f"{self.base}{path}")
            if problem:
                return refuse(401, "invalid_client", f"AADSTS700027: {problem}")
        elif self.client_secret is None or form.get("client_secret") != self.client_secret:
            return refuse(
                401,
                "invalid_client",
                "AADSTS7000215: Invalid client secret provided. Ensure the secret "
                "being sent in the request is the client secret value.",
            )
        issued = self.clock()
        claims = {
            "aud": self.base,
            "tid": self.tenant_id,
            "appid": self.client_id,
            "roles": sorted(self.roles),
            "iat": int(issued),
            "exp": int(issued + self.token_lifetime),
        }
        token = (
            ".".join(
                base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
                for part in ({"typ": "JWT", "alg": "RS256"}, claims)
            )
            + "."
            + secrets.token_urlsafe(32)
        )
        with self._lock:
            self.tokens[token] = (issued + self.token_lifetime, frozenset(self.roles))
        return Reply(
            200,
            {
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "ext_expires_in": self.token_lifetime,
                "access_token": token,
            },
        )

    def _check_assertion(self, assertion: str, audience: str) -> str | None:
        if self.certificate is None:
            return "no certificate is registered for this application."
        header = jwt.get_unverified_header(assertion)
        sha1 = base64.urlsafe_b64encode(self.certificate.fingerprint(hashes.SHA1())).decode()
        sha256 = base64.urlsafe_b64encode(self.certificate.fingerprint(hashes.SHA256())).decode()
        if header.get("x5t", "").rstrip("=") != sha1.rstrip("=") and (
            header.get("x5t#S256", "").rstrip("=") != sha256.rstrip("=")
        ):
            return "Client assertion contains an invalid signature (unknown key)."
        try:
            claims = jwt.decode(
                assertion,
                self.certificate.public_key(),  # type: ignore[arg-type]
                algorithms=["RS256", "PS256"],
                audience=audience,
                options={"verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            return f"Client assertion failed validation: {exc}."
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            return "Client assertion issuer does not match the client id."
        return None
