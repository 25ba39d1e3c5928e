"""The Microsoft Graph transport: the council's own Microsoft 365 mailbox, app-only.

**Why msal + requests and not python-o365.** O365 2.1.10 was read line by line against what
this transport needs, and every call it would make for us is one where O365 gets in the way:

- sending needs ``internetMessageId`` (our deterministic Message-ID) and named extended
  properties on a new message; O365's ``Message.to_api_data`` has no Message-ID, and its
  ``send()`` can *return* a ``RuntimeError`` instead of raising, or ``False`` for an HTTP error,
  which a caller easily mistakes for "not sent" and resends;
- reading needs a delta query on the inbox, ``getMailTips`` and a filter on an extended
  property: O365 has none of them;
- under every call sit the traps its ``Connection`` brings: no timeout by default, POST and
  PATCH never retried on 429/503, app-only token refresh failing after the first hour
  (upstream #1195), a token file written unencrypted to the working directory, a hard-coded
  public-cloud authority (no national cloud, no stand-in), and field selection that makes
  messages parse as drafts;
- its reply and forward drafts drop custom ``x-`` headers; the bot never uses them, and
  every mail is a new message with its headers set at creation (the only time Graph allows).

Routing O365 through our own session would fix the traps but leave it nothing to do, so the
bot depends on msal (``graph_auth``: tokens, in memory only) and requests (``graph_http``:
timeouts, Retry-After on every method, pacing, 401 renewal) and makes its eight kinds of
Graph call itself, each with the status code Graph documents.

**Headers.** Graph sets only ``x-`` headers as ``internetMessageHeaders``, so ``X-Audit-Bot-Key``
and ``X-Auto-Response-Suppress`` go there. Message-ID becomes ``internetMessageId``.
``Auto-Submitted`` cannot be an internet message header; it is stamped as the MAPI named
property for that header in PS_INTERNET_HEADERS, which Exchange's MIME writer turns into the
header on the way out ([MS-OXCMAIL] 2.1.3.4); ``X-Auto-Response-Suppress: All`` (the header
Exchange itself obeys) does not depend on it. The JSON is built from the mail itself
(``graph_payload``), not from MIME; a header added to the mail's set without a mapping to
Graph is refused rather than silently dropped.

**Was it sent?** Graph can filter messages on a single-value extended property, not on
internet headers. Every sent message therefore also carries the key in a named property of
the bot's own; ``was_sent`` filters the whole mailbox on it (a copy a person moved out of
Sent Items, or one still in the Outbox, still counts), one request. Exchange files the Sent
Items copy a few seconds after sendMail's 202: the outbox settles ``unknown`` rows on a later
tick, never in the same breath.

**Receiving.** A delta query on the inbox: one request when nothing is new. The deltaLink is
kept in ``state`` (a mapping the app backs with its store) only once every message it
returned has been moved, so a crash between fetch and move means they come back next time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, MutableMapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from bot.mail.graph_auth import TokenSource, load_credential
from bot.mail.graph_config import GraphMail
from bot.mail.graph_http import GraphError, GraphSession, Pacer
from bot.mail.graph_payload import KEY_PROPERTY, graph_message
from bot.mail.message import OutgoingMail
from bot.mail.transport import Folder, InboundItem

log = logging.getLogger(__name__)

DELTA_PAGE_SIZE = 50
PREFER = {"Prefer": f"odata.maxpagesize={DELTA_PAGE_SIZE}"}  # on every page of a delta
MAILTIPS_BATCH = 100


def _odata_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class GraphTransport:
    """``Transport`` over Graph for one mailbox. ``state`` keeps the inbox's deltaLink between
    runs; without a persistent one, each start re-reads the inbox once (harmless: inbound mail
    is keyed by Message-ID)."""

    def __init__(
        self,
        mailbox: str,
        http: GraphSession,
        *,
        send_per_minute: int = 30,
        state: MutableMapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.mailbox = mailbox
        self.http = http
        self.pacer = Pacer(send_per_minute, clock, sleep)
        self.state: MutableMapping[str, str] = {} if state is None else state
        self.user_path = f"users/{quote(mailbox, safe='@')}"
        self._delta_key = f"graph.inbox_delta:{mailbox.lower()}"
        self._folders: dict[str, str] = {}
        self.created_folders: list[str] = []
        self._pending: set[str] = set()
        self._pending_link: str | None = None

    @classmethod
    def from_settings(
        cls,
        mail: GraphMail,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        state: MutableMapping[str, str] | None = None,
    ) -> GraphTransport:
        origin = urlsplit(mail.graph_url)._replace(path="", query="", fragment="").geturl()
        tokens = TokenSource(
            tenant_id=mail.tenant_id,
            client_id=mail.client_id,
            credential=load_credential(mail.certificate_path, mail.certificate_thumbprint),
            authority=mail.authority,
            scope=f"{origin}/.default",
            timeout=mail.timeout_seconds,
            clock=clock,
        )
        http = GraphSession(
            mail.graph_url, tokens, timeout=mail.timeout_seconds, clock=clock, sleep=sleep
        )
        return cls(
            mail.mailbox,
            http,
            send_per_minute=mail.send_per_minute,
            state=state,
            clock=clock,
            sleep=sleep,
        )

    # -- sending ---------------------------------------------------------------------------

    def send(self, mail: OutgoingMail, now: datetime) -> None:
        # Exchange stamps the Date itself when it accepts the message.
        payload = {"message": graph_message(mail), "saveToSentItems": True}
        # Any 2xx is a send: treating an unexpected 200 as failure would mean a duplicate.
        self.http.request(
            "POST",
            f"{self.user_path}/sendMail",
            json=payload,
            ok=(200, 201, 202, 204),
            lost_is_unknown=True,
            pacer=self.pacer,
        )

    def was_sent(self, key: str) -> bool:
        return self.find_sent(key) is not None

    def find_sent(self, key: str) -> str | None:
        """The id of a message in the mailbox stamped with ``key``, if any: one request."""
        where = (
            f"singleValueExtendedProperties/Any(ep: ep/id eq {_odata_string(KEY_PROPERTY)}"
            f" and ep/value eq {_odata_string(key)})"
        )
        page = self.http.get_json(
            f"{self.user_path}/messages", {"$filter": where, "$select": "id", "$top": "1"}
        )
        values = page.get("value") or []
        return str(values[0]["id"]) if values else None

    # -- receiving -------------------------------------------------------------------------

    def fetch_new(self) -> list[InboundItem]:
        link = self.state.get(self._delta_key)
        ids: dict[str, None] = {}  # ordered, de-duplicated across pages
        page = self._delta_page(link)
        while True:
            for entry in page.get("value", []):
                if "@removed" in entry:
                    ids.pop(entry["id"], None)
                else:
                    ids[entry["id"]] = None
            if "@odata.nextLink" in page:
                page = self.http.request("GET", page["@odata.nextLink"], headers=PREFER).json()
                continue
            new_link = page["@odata.deltaLink"]
            break
        items = []
        for message_id in ids:
            raw = self._mime(message_id)
            if raw is not None:
                items.append(InboundItem(message_id, raw))
        self._pending = {item.id for item in items}
        self._pending_link = new_link
        self._commit_if_done()
        return items

    def _delta_page(self, link: str | None) -> dict[str, Any]:
        if link is not None:
            try:
                return self.http.request("GET", link, headers=PREFER).json()
            except GraphError as exc:
                if exc.status not in (400, 404, 410):
                    raise
                # The sync state expired or is unknown: start again from the whole inbox.
                log.warning("inbox delta link refused (%s); re-reading the inbox", exc.code)
                self.state.pop(self._delta_key, None)
        return self.http.request(
            "GET",
            f"{self.user_path}/mailFolders('inbox')/messages/delta",
            params={"$select": "id"},
            headers=PREFER,
        ).json()

    def _mime(self, message_id: str) -> bytes | None:
        try:
            response = self.http.request("GET", f"{self._message(message_id)}/$value")
        except GraphError as exc:
            if exc.status == 404:
                return None  # moved or deleted since the delta page listed it
            raise
        return response.content  # byte for byte as Exchange holds it, AuthAs header included

    def _message(self, message_id: str) -> str:
        return f"{self.user_path}/messages/{quote(message_id, safe='')}"

    def move(self, item_id: str, folder: Folder) -> None:
        for attempt in (1, 2):
            destination = self.folder_id(folder)
            try:
                self.http.request(
                    "POST",
                    f"{self._message(item_id)}/move",
                    json={"destinationId": destination},
                    ok=(200, 201),
                )
                break
            except GraphError as exc:
                if exc.status != 404:
                    raise
            # 404: the message is gone, or the folder we remembered is (a person deleted it).
            del self._folders[folder]
            if attempt == 2 or self.folder_id(folder) == destination:
                log.warning("message %s was no longer in the inbox to file in %s", item_id, folder)
                break
        self._pending.discard(item_id)
        self._commit_if_done()

    def _commit_if_done(self) -> None:
        # Only once every message of the batch is filed: a crash before that re-reads them.
        if not self._pending and self._pending_link is not None:
            if self.state.get(self._delta_key) != self._pending_link:
                self.state[self._delta_key] = self._pending_link
            self._pending_link = None

    def folder_id(self, name: str) -> str:
        """The id of top-level folder ``name``, created (201) if it does not exist yet."""
        if name in self._folders:
            return self._folders[name]
        found = self._find_folder(name)
        if found is None:
            try:
                response = self.http.request(
                    "POST", f"{self.user_path}/mailFolders", json={"displayName": name}, ok=(201,)
                )
                found = response.json()["id"]
                self.created_folders.append(name)
            except GraphError as exc:
                if exc.status != 409:  # ErrorFolderExists: another instance made it first
                    raise
                found = self._find_folder(name)
                if found is None:
                    raise
        self._folders[name] = found
        return found

    def _find_folder(self, name: str) -> str | None:
        page = self.http.get_json(
            f"{self.user_path}/mailFolders",
            {"$filter": f"displayName eq {_odata_string(name)}", "$select": "id,displayName"},
        )
        values = page.get("value", [])
        return str(values[0]["id"]) if values else None

    # -- retention -------------------------------------------------------------------------

    def forget_filed_messages(self, message_ids: Iterable[str]) -> int:
        """Delete for good, from the Processed and Quarantine folders, each message with one
        of these Message-IDs (its retention period is over, or its sender asked); how many
        went. permanentDelete, not DELETE: that would leave a copy in Deleted Items."""
        folders = {
            self._folders.get(n) or self._find_folder(n) for n in ("Processed", "Quarantine")
        }
        folders.discard(None)
        gone = 0
        for message_id in message_ids:
            page = self.http.get_json(
                f"{self.user_path}/messages",
                {
                    "$filter": f"internetMessageId eq {_odata_string(message_id)}",
                    "$select": "id,parentFolderId",
                },
            )
            for entry in page.get("value", []):
                if entry.get("parentFolderId") not in folders:
                    continue  # the inbox's own copy, or a person's: not the bot's to delete
                try:
                    self.http.request(
                        "POST", f"{self._message(entry['id'])}/permanentDelete", ok=(204,)
                    )
                except GraphError as exc:
                    if exc.status != 404:  # gone already: another instance, or a person
                        raise
                    continue
                gone += 1
        return gone

    # -- out of office ---------------------------------------------------------------------

    def mailtips(self, addresses: list[str]) -> dict[str, bool]:
        """Whether each address has automatic replies on. An address Graph could not answer
        for is left out: unknown is not the same as off."""
        answers: dict[str, bool] = {}
        for start in range(0, len(addresses), MAILTIPS_BATCH):
            batch = addresses[start : start + MAILTIPS_BATCH]
            page = self.http.request(
                "POST",
                f"{self.user_path}/getMailTips",
                json={"EmailAddresses": batch, "MailTipsOptions": "automaticReplies"},
            ).json()
            for tip in page.get("value", []):
                address = str(tip.get("emailAddress", {}).get("address", "")).lower()
                if not address or tip.get("error"):
                    continue
                message = (tip.get("automaticReplies") or {}).get("message") or ""
                answers[address] = bool(message.strip())
        return answers

    def close(self) -> None:
        self.http.close()
