"""A local HTTPS stand-in for Microsoft Entra ID and Microsoft Graph mail.

The real msal and requests code talk to it over TLS (a certificate made by ``trustme``; the
client trusts it through REQUESTS_CA_BUNDLE). It answers as the Graph documentation says:
OIDC metadata and a client-credentials token endpoint (secret or signed certificate
assertion, ``expires_in``), sendMail 202 with no body, move and folder creation 201 with new
ids, delta paging with ``@odata.nextLink`` / ``@odata.deltaLink``, ``getMailTips``, and error
bodies ``{"error": {"code", "message"}}``. Tokens expire on the shared simulated clock, and
it can enforce Exchange's per-minute send limit on that clock (429 with Retry-After).

Faults are injected per method and path: a status (429/503 with Retry-After), a hang past
the client's timeout, or a response lost after the request was carried out.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import hashlib
import json
import math
import re
import secrets
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import trustme
from cryptography import x509

from tests.graph.standin_identity import IdentityEndpoints, Reply
from tests.graph.standin_mailbox import BadMessageError, Mailbox, StoredFolder, write_mime

TENANT = "5f3c1e7a-0b4d-4e2a-9c61-7d8e9f0a1b2c"
CLIENT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CLIENT_SECRET = "stand-in-secret-" + "x" * 24
MAILBOX = "audit-bot@council.example"
_EXT_FILTER = re.compile(
    r"singleValueExtendedProperties/Any\(ep: ep/id eq '((?:[^']|'')*)'"
    r" and ep/value eq '((?:[^']|'')*)'\)"
)
_NAME_FILTER = re.compile(r"displayName eq '((?:[^']|'')*)'")
_MESSAGE_ID_FILTER = re.compile(r"internetMessageId eq '((?:[^']|'')*)'")
_FOLDER = r"mailFolders(?:\('(?P<wk>[^']+)'\)|/(?P<fid>[^/]+))"


class SimClock:
    """Simulated seconds shared by the stand-in and the transport; only ``sleep`` moves it."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.slept = 0.0

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(seconds, 0.0)
            self.slept += max(seconds, 0.0)

    advance = sleep


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    kind: str  # "status" | "hang" | "lose_response" | "timeout_after"
    status: int = 429
    retry_after: float | None = None
    times: int = 1
    hang_seconds: float = 1.0


@dataclass
class Seen:
    method: str
    path: str
    status: int | None  # None: no answer was given
    at: float
    body: Any = None


def graph_error(status: int, code: str, message: str, **headers: str) -> Reply:
    return Reply(
        status,
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {"request-id": secrets.token_hex(8)},
            }
        },
        headers,
    )


class GraphStandIn(IdentityEndpoints):
    def __init__(
        self,
        ca: trustme.CA,
        clock: SimClock,
        *,
        mailbox: str = MAILBOX,
        certificate_pem: bytes | None = None,
    ) -> None:
        self.clock = clock
        self.tenant_id = TENANT
        self.client_id = CLIENT_ID
        self.client_secret: str | None = CLIENT_SECRET
        self.certificate = (
            x509.load_pem_x509_certificate(certificate_pem) if certificate_pem else None
        )
        self.mailbox = Mailbox(mailbox)
        self.roles = {"Mail.ReadWrite", "Mail.Send"}  # application permissions consented
        self.allowed_mailboxes: set[str] | None = None  # an application access policy
        self.exchange_roles: set[str] = set()  # granted by RBAC for Applications, not in tokens
        self.token_lifetime = 3600
        self.tokens: dict[str, tuple[float, frozenset[str]]] = {}  # token -> (expiry, roles)
        self.send_limit_per_minute: int | None = None
        self.send_times: list[float] = []
        self.throttled_sends = 0
        self.automatic_replies: dict[str, str] = {}
        self.unknown_recipients: set[str] = set()
        self.webhook_status = 202
        self.cards: list[Any] = []
        self.faults: list[Fault] = []
        self.log: list[Seen] = []
        self._lock = threading.Lock()
        self._ca = ca
        self._server: ThreadingHTTPServer | None = None

    # -- running ---------------------------------------------------------------------------

    def start(self) -> GraphStandIn:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        server = _Server(("127.0.0.1", 0), _Handler)
        server.standin = self
        server.tls = context
        self._server = server
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def graph_url(self) -> str:
        return f"{self.base}/v1.0"

    @property
    def authority(self) -> str:
        return self.base

    def webhook_url(self, name: str = "digest") -> str:
        return f"{self.base}/workflows/{name}"

    # -- test controls ---------------------------------------------------------------------

    def inject(self, method: str, path: str, kind: str = "status", **options: Any) -> Fault:
        fault = Fault(method.upper(), re.compile(path), kind, **options)
        with self._lock:
            self.faults.append(fault)
        return fault

    def deliver(self, raw: bytes) -> str:
        """A message arriving in the bot's inbox, MIME exactly as given."""
        return self.mailbox.add(raw, "inbox")

    def sent(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(m.raw, policy=email.policy.default)  # type: ignore[misc]
            for m in self.mailbox.in_folder("sentitems")
        ]

    def revoke_tokens(self) -> None:
        """Entra withdraws every token at once (a secret rolled, a policy changed)."""
        with self._lock:
            self.tokens.clear()

    def graph_requests(self) -> list[Seen]:
        return [s for s in self.log if s.path.startswith("/v1.0/")]

    def token_requests(self) -> list[Seen]:
        return [s for s in self.log if s.path.endswith("/oauth2/v2.0/token")]

    # -- dispatch --------------------------------------------------------------------------

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and fault.path.search(path):
                    fault.times -= 1
                    return fault
        return None

    def handle(self, method: str, raw_path: str, headers: Any, body: bytes) -> Reply | None:
        """The reply, or None when the connection is to be dropped without one."""
        url = urlsplit(raw_path)
        path = unquote(url.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        fault = self._fault_for(method, path)
        seen = Seen(method, path, None, self.clock(), body)
        self.log.append(seen)
        if fault is not None and fault.kind == "status":
            reply = graph_error(
                fault.status,
                "TooManyRequests" if fault.status == 429 else "ServiceUnavailable",
                "Injected: the service is busy, try again later.",
                **(
                    {"Retry-After": _seconds(fault.retry_after)}
                    if fault.retry_after is not None
                    else {}
                ),
            )
            seen.status = reply.status
            return reply
        if fault is not None and fault.kind == "hang":
            time.sleep(fault.hang_seconds)
            return None
        reply = self._route(method, path, query, headers, body)
        if fault is not None:  # lose_response / timeout_after: done, but no answer arrives
            if fault.kind == "timeout_after":
                time.sleep(fault.hang_seconds)
            return None
        seen.status = reply.status
        return reply

    def _route(self, method: str, path: str, query: dict, headers: Any, body: bytes) -> Reply:
        if m := re.fullmatch(r"/([^/]+)/v2\.0/\.well-known/openid-configuration", path):
            return self._oidc(m.group(1))
        if m := re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", path):
            return self._token(m.group(1), path, body) if method == "POST" else Reply(405)
        if re.fullmatch(r"/workflows/[^/]+", path) and method == "POST":
            return self._webhook(body)
        if m := re.fullmatch(r"/v1\.0/users/([^/]+)/(.+)", path):
            return self._graph(method, m.group(1), m.group(2), query, headers, body)
        return graph_error(404, "UnknownError", f"No route for {method} {path}")

    def _webhook(self, body: bytes) -> Reply:
        try:
            card = json.loads(body)
        except ValueError:
            return Reply(
                400,
                {
                    "error": {
                        "code": "InvalidRequestContent",
                        "message": "The request content is not valid JSON.",
                    }
                },
            )
        if self.webhook_status >= 400:
            return Reply(
                self.webhook_status,
                {
                    "error": {
                        "code": "WorkflowTriggerIsNotEnabled",
                        "message": "The workflow could not be triggered.",
                    }
                },
            )
        self.cards.append(card)
        return Reply(self.webhook_status)

    # -- Graph -----------------------------------------------------------------------------

    def _graph(self, method, user, rest, query, headers, body) -> Reply:
        bearer = headers.get("Authorization", "")
        token = bearer.removeprefix("Bearer ")
        with self._lock:
            expiry, roles = self.tokens.get(token, (None, frozenset()))
        if not bearer.startswith("Bearer ") or expiry is None or self.clock() >= expiry:
            return graph_error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
                **{"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
            )
        if user.lower() != self.mailbox.address.lower():
            return graph_error(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
        if self.allowed_mailboxes is not None and user.lower() not in self.allowed_mailboxes:
            return graph_error(
                403,
                "ErrorAccessDenied",
                "Access to OData is disabled: [RAOP] : Blocked by tenant "
                "configured AppOnly AccessPolicy settings.",
            )
        payload = json.loads(body) if body else {}
        needed = {"sendMail": {"Mail.Send"}}.get(rest)
        if needed is None:
            writing = method in ("POST", "PATCH") and rest != "getMailTips"
            needed = {"Mail.ReadWrite"} if writing else {"Mail.Read", "Mail.ReadWrite"}
        if not (roles | self.exchange_roles) & needed:
            return graph_error(
                403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
            )
        for pattern, verb, action in self._graph_routes():
            if verb == method and (m := re.fullmatch(pattern, rest)):
                return action(query=query, headers=headers, payload=payload, **m.groupdict())
        return graph_error(400, "BadRequest", f"Unsupported {method} {rest}")

    def _graph_routes(self):
        return (
            (r"sendMail", "POST", self._send_mail),
            (r"messages", "GET", self._list_messages),
            (r"messages/(?P<mid>[^/]+)/\$value", "GET", self._mime),
            (r"messages/(?P<mid>[^/]+)/move", "POST", self._move),
            (r"messages/(?P<mid>[^/]+)/permanentDelete", "POST", self._permanent_delete),
            (r"messages/(?P<mid>[^/]+)", "PATCH", self._patch),
            (r"mailFolders", "GET", self._list_folders),
            (r"mailFolders", "POST", self._create_folder),
            (_FOLDER + r"/messages/delta", "GET", self._delta),
            (_FOLDER, "GET", self._get_folder),
            (r"getMailTips", "POST", self._mailtips),
        )

    def _send_mail(self, payload, **_) -> Reply:
        if "message" not in payload:
            return graph_error(400, "ErrorInvalidRequest", "The message parameter is missing.")
        now = self.clock()
        with self._lock:
            if self.send_limit_per_minute is not None:
                recent = [t for t in self.send_times if t > now - 60]
                if len(recent) >= self.send_limit_per_minute:
                    self.throttled_sends += 1
                    wait = max(1, math.ceil(recent[0] + 60 - now))
                    return graph_error(
                        429,
                        "ApplicationThrottled",
                        "Application is over its MailboxConcurrency limit.",
                        **{"Retry-After": str(wait)},
                    )
            try:
                raw, properties = write_mime(self.mailbox.address, payload["message"], now)
            except BadMessageError as exc:
                return graph_error(400, exc.code, str(exc))
            self.send_times.append(now)
        if payload.get("saveToSentItems", True):
            self.mailbox.add(raw, "sentitems", properties)
        return Reply(202)

    def _list_messages(self, query, **_) -> Reply:
        where = query.get("$filter")
        if where is None:
            found = list(self.mailbox.messages.values())
        elif m := _EXT_FILTER.fullmatch(where):
            found = self.mailbox.find_by_property(_unquote(m.group(1)), _unquote(m.group(2)))
        elif m := _MESSAGE_ID_FILTER.fullmatch(where):
            wanted = _unquote(m.group(1))
            found = [
                message
                for message in list(self.mailbox.messages.values())
                if message.as_json()["internetMessageId"] == wanted
            ]
        else:
            return graph_error(
                400,
                "ErrorInvalidUrlQueryFilter",
                "The query filter contains one or more invalid nodes.",
            )
        top = int(query.get("$top", "10"))
        return Reply(200, {"value": [_selected(m.as_json(), query) for m in found[:top]]})

    def _mime(self, mid, **_) -> Reply:
        message = self.mailbox.messages.get(mid)
        if message is None:
            return graph_error(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        return Reply(200, message.raw, {"Content-Type": "text/plain"})

    def _move(self, mid, payload, **_) -> Reply:
        destination = self.mailbox.folder(str(payload.get("destinationId", "")))
        if destination is None:
            return graph_error(404, "ErrorItemNotFound", "The destination folder was not found.")
        moved = self.mailbox.move(mid, destination)
        if moved is None:
            return graph_error(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        return Reply(201, moved.as_json())

    def _permanent_delete(self, mid, **_) -> Reply:
        # Gone for good: not to Deleted Items, as a plain DELETE would leave it.
        if self.mailbox.delete(mid) is None:
            return graph_error(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        return Reply(204)

    def _patch(self, mid, payload, **_) -> Reply:
        message = self.mailbox.messages.get(mid)
        if message is None:
            return graph_error(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        message.is_read = bool(payload.get("isRead", message.is_read))
        return Reply(200, message.as_json())

    def _list_folders(self, query, **_) -> Reply:
        where = query.get("$filter")
        folders: list[StoredFolder]
        if where is None:
            folders = list(self.mailbox.folders.values())
        elif m := _NAME_FILTER.fullmatch(where):
            named = self.mailbox.folder_named(_unquote(m.group(1)))
            folders = [named] if named else []
        else:
            return graph_error(
                400,
                "ErrorInvalidUrlQueryFilter",
                "The query filter contains one or more invalid nodes.",
            )
        return Reply(200, {"value": [self._folder_json(f, query) for f in folders]})

    def _folder_json(self, folder: StoredFolder, query: dict) -> dict:
        return _selected(folder.as_json(len(self.mailbox.in_folder(folder.id))), query)

    def _create_folder(self, payload, **_) -> Reply:
        name = str(payload.get("displayName", "")).strip()
        if not name:
            return graph_error(400, "ErrorInvalidRequest", "displayName is required.")
        folder = self.mailbox.create_folder(name)
        if folder is None:
            return graph_error(
                409, "ErrorFolderExists", "A folder with the specified name already exists."
            )
        return Reply(201, folder.as_json(0))

    def _get_folder(self, query, wk=None, fid=None, **_) -> Reply:
        folder = self.mailbox.folder(wk or fid)
        if folder is None:
            return graph_error(404, "ErrorItemNotFound", "The specified folder was not found.")
        return Reply(200, self._folder_json(folder, query))

    def _delta(self, query, headers, wk=None, fid=None, **_) -> Reply:
        if self.mailbox.folder(wk or fid) is not self.mailbox.folder("inbox"):
            return graph_error(400, "BadRequest", "The stand-in keeps a delta for the inbox only.")
        prefer = re.search(r"odata\.maxpagesize=(\d+)", headers.get("Prefer", ""))
        size = min(int(prefer.group(1)), 1000) if prefer else 10
        if "$skiptoken" in query:
            try:
                entries, skip, position = self.mailbox.delta_next(query["$skiptoken"], size)
            except KeyError:
                return graph_error(410, "SyncStateNotFound", "The sync state is not found.")
        else:
            since = None
            if "$deltatoken" in query:
                token = query["$deltatoken"]
                if not token.isdigit() or int(token) > len(self.mailbox.inbox_log):
                    return graph_error(410, "SyncStateNotFound", "The sync state is not found.")
                since = int(token)
            entries, skip, position = self.mailbox.delta(since, size)
        link = f"{self.graph_url}/users/{self.mailbox.address}/mailFolders('inbox')/messages/delta"
        page: dict[str, Any] = {
            "@odata.context": f"{self.graph_url}/$metadata#Collection(message)",
            "value": entries,
        }
        if skip is not None:
            page["@odata.nextLink"] = f"{link}?$skiptoken={skip}"
        else:
            page["@odata.deltaLink"] = f"{link}?$deltatoken={position}"
        return Reply(200, page)

    def _mailtips(self, payload, **_) -> Reply:
        if "automaticReplies" not in str(payload.get("MailTipsOptions", "")):
            return graph_error(400, "ErrorInvalidRequest", "MailTipsOptions is required.")
        tips = []
        for address in payload.get("EmailAddresses", []):
            tip: dict[str, Any] = {"emailAddress": {"name": "", "address": address}}
            if address.lower() in self.unknown_recipients:
                tip["error"] = {
                    "code": "ErrorInvalidRecipients",
                    "message": "The recipient is not valid.",
                }
            else:
                tip["automaticReplies"] = {
                    "message": self.automatic_replies.get(address.lower(), ""),
                    "messageLanguage": {"locale": "en-GB", "displayName": "English"},
                }
            tips.append(tip)
        return Reply(200, {"value": tips})


def _unquote(value: str) -> str:
    return value.replace("''", "'")


def _selected(entity: dict, query: dict) -> dict:
    fields = query.get("$select")
    if not fields:
        return entity
    keep = set(fields.split(",")) | {"id"}
    return {k: v for k, v in entity.items() if k in keep or k.startswith("@")}


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    standin: GraphStandIn
    tls: ssl.SSLContext

    def finish_request(self, request, client_address) -> None:  # type: ignore[override]
        # The TLS handshake happens here, in the connection's own thread, so a slow or
        # failing client never holds up the accepting loop.
        # No Nagle: headers and body go out as separate writes, and Nagle with delayed ACKs
        # would add 40 ms to every answer.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            request = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request, client_address) -> None:
        pass  # connections dropped on purpose (lost responses) are expected


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = self.server.standin.handle(self.command, self.path, self.headers, body)
        if reply is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if isinstance(reply.body, dict | list):
            data = json.dumps(reply.body).encode()
            content_type = "application/json; odata.metadata=minimal"
        else:
            data = reply.body or b""
            content_type = "text/plain"
        self.send_response(reply.status)
        headers = {
            "Content-Type": content_type,
            "request-id": hashlib.sha1(data).hexdigest()[:16],
            **reply.headers,
        }
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve  # noqa: N815 - http.server's names

    def log_message(self, format: str, *args: Any) -> None:
        pass
