"""The stand-in's mailbox: folders, messages with their MIME, and the inbox's change log.

It behaves as Exchange does where the transport depends on it: a message gets a new id when
it moves; sendMail files a copy in Sent Items whose MIME carries the ``x-`` headers and the
PS_INTERNET_HEADERS named properties as headers (the MIME writer of [MS-OXCMAIL]); a delta
query returns what was added to the inbox since its token, and ``@removed`` for what left.
"""

from __future__ import annotations

import base64
import email
import email.policy
import html as html_lib
import re
import secrets
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate

INTERNET_HEADERS_SET = "{00020386-0000-0000-C000-000000000046}"
_HEADER_PROPERTY = re.compile(r"String \{00020386-0000-0000-C000-000000000046\} Name (\S+)", re.I)
WELL_KNOWN = ("inbox", "sentitems", "drafts", "deleteditems", "outbox", "archive")


def new_id(prefix: str = "AAMkAG") -> str:
    # Graph ids are base64 and may end in "=", which the client must quote in a path.
    return prefix + base64.b64encode(secrets.token_bytes(30)).decode().replace("/", "-") + "="


@dataclass
class StoredMessage:
    id: str
    folder_id: str
    raw: bytes
    properties: dict[str, str] = field(default_factory=dict)  # extended property id -> value
    is_read: bool = False

    def as_json(self) -> dict:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        return {
            "@odata.type": "#microsoft.graph.message",
            "id": self.id,
            "parentFolderId": self.folder_id,
            "subject": str(parsed.get("Subject", "")),
            "internetMessageId": str(parsed.get("Message-ID", "")),
            "isRead": self.is_read,
            "isDraft": False,
        }


@dataclass
class StoredFolder:
    id: str
    display_name: str
    well_known: str | None = None

    def as_json(self, count: int) -> dict:
        return {
            "id": self.id,
            "displayName": self.display_name,
            "parentFolderId": "root",
            "childFolderCount": 0,
            "totalItemCount": count,
            "unreadItemCount": 0,
        }


class Mailbox:
    """One Exchange mailbox. All methods are safe to call from the server's threads."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.lock = threading.RLock()
        self.folders: dict[str, StoredFolder] = {}
        for name in WELL_KNOWN:
            folder = StoredFolder(new_id("AQMkAD"), _display(name), name)
            self.folders[folder.id] = folder
        self.messages: dict[str, StoredMessage] = {}
        self.inbox_log: list[tuple[str, str]] = []  # ("added" | "removed", message id)
        self._delta_pages: dict[str, tuple[list[dict], int]] = {}

    # -- folders ---------------------------------------------------------------------------

    def folder(self, ref: str) -> StoredFolder | None:
        """By id or well-known name, as Graph resolves ``mailFolders/{ref}``."""
        with self.lock:
            if ref in self.folders:
                return self.folders[ref]
            return next((f for f in self.folders.values() if f.well_known == ref.lower()), None)

    def folder_named(self, display_name: str) -> StoredFolder | None:
        with self.lock:
            wanted = display_name.lower()  # Exchange folder names are case-insensitive
            return next(
                (f for f in self.folders.values() if f.display_name.lower() == wanted), None
            )

    def create_folder(self, display_name: str) -> StoredFolder | None:
        with self.lock:
            if self.folder_named(display_name) is not None:
                return None
            folder = StoredFolder(new_id("AQMkAD"), display_name)
            self.folders[folder.id] = folder
            return folder

    def in_folder(self, ref: str) -> list[StoredMessage]:
        folder = self.folder(ref) or self.folder_named(ref)
        with self.lock:
            if folder is None:
                return []
            return [m for m in self.messages.values() if m.folder_id == folder.id]

    # -- messages --------------------------------------------------------------------------

    def add(self, raw: bytes, folder_ref: str, properties: dict[str, str] | None = None) -> str:
        with self.lock:
            folder = self.folder(folder_ref)
            assert folder is not None, folder_ref
            message = StoredMessage(new_id(), folder.id, raw, dict(properties or {}))
            self.messages[message.id] = message
            if folder.well_known == "inbox":
                self.inbox_log.append(("added", message.id))
            return message.id

    def move(self, message_id: str, destination: StoredFolder) -> StoredMessage | None:
        with self.lock:
            message = self.messages.pop(message_id, None)
            if message is None:
                return None
            if self.folders[message.folder_id].well_known == "inbox":
                self.inbox_log.append(("removed", message_id))
            moved = StoredMessage(
                new_id(), destination.id, message.raw, message.properties, message.is_read
            )
            self.messages[moved.id] = moved
            if destination.well_known == "inbox":
                self.inbox_log.append(("added", moved.id))
            return moved

    def delete(self, message_id: str) -> StoredMessage | None:
        with self.lock:
            message = self.messages.pop(message_id, None)
            if message is not None and self.folders[message.folder_id].well_known == "inbox":
                self.inbox_log.append(("removed", message_id))
            return message

    def find_by_property(self, property_id: str, value: str) -> list[StoredMessage]:
        with self.lock:
            # The property's name is matched exactly, its value case-insensitively (as Graph).
            return [
                m
                for m in self.messages.values()
                if m.properties.get(property_id, "").lower() == value.lower()
                and property_id in m.properties
            ]

    # -- delta -----------------------------------------------------------------------------

    def delta(self, since: int | None, page_size: int) -> tuple[list[dict], str | None, int]:
        """The first page of changes since log position ``since`` (None: the whole inbox).

        Returns (entries, skiptoken of the next page or None, log position for the deltaLink).
        """
        with self.lock:
            inbox = self.folder("inbox")
            assert inbox is not None
            now = len(self.inbox_log)
            if since is None:
                entries = [
                    _delta_entry(m.id) for m in self.messages.values() if m.folder_id == inbox.id
                ]
            else:
                changed: dict[str, str] = {}
                for kind, message_id in self.inbox_log[since:]:
                    changed[message_id] = kind
                entries = []
                for message_id, kind in changed.items():
                    if kind == "added" and message_id in self.messages:
                        entries.append(_delta_entry(message_id))
                    elif kind == "removed":
                        entries.append(
                            {**_delta_entry(message_id), "@removed": {"reason": "deleted"}}
                        )
            return self._page(entries, now, page_size)

    def delta_next(self, skiptoken: str, page_size: int) -> tuple[list[dict], str | None, int]:
        with self.lock:
            entries, position = self._delta_pages.pop(skiptoken)
            return self._page(entries, position, page_size)

    def _page(self, entries: list[dict], position: int, size: int):
        page, rest = entries[:size], entries[size:]
        if not rest:
            return page, None, position
        token = secrets.token_urlsafe(12)
        self._delta_pages[token] = (rest, position)
        return page, token, position


def _display(well_known: str) -> str:
    return {
        "inbox": "Inbox",
        "sentitems": "Sent Items",
        "drafts": "Drafts",
        "deleteditems": "Deleted Items",
        "outbox": "Outbox",
        "archive": "Archive",
    }[well_known]


def _delta_entry(message_id: str) -> dict:
    return {
        "@odata.type": "#microsoft.graph.message",
        "@odata.etag": 'W/"CQAAABYAAAA' + message_id[-8:] + '"',
        "id": message_id,
    }


class BadMessageError(ValueError):
    """A sendMail payload Graph would refuse; ``code`` is Graph's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _text_of(html: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</tr>|</h\d>", "\n", html)
    text = re.sub(r"<[^>]+>", "", text)
    return html_lib.unescape(re.sub(r"\n{3,}", "\n\n", text)).strip() + "\n"


def write_mime(sender: str, message: dict, sent_at: float) -> tuple[bytes, dict[str, str]]:
    """The MIME Exchange would send for a sendMail ``message`` resource, and its properties."""
    out = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    out["From"] = sender
    for field_name, header in (
        ("toRecipients", "To"),
        ("ccRecipients", "Cc"),
        ("replyTo", "Reply-To"),
    ):
        recipients = message.get(field_name) or []
        if recipients:
            out[header] = ", ".join(
                formataddr((r["emailAddress"].get("name", ""), r["emailAddress"]["address"]))
                for r in recipients
            )
    if (
        not message.get("toRecipients")
        and not message.get("ccRecipients")
        and not message.get("bccRecipients")
    ):
        raise BadMessageError("ErrorInvalidRecipients", "At least one recipient is not valid.")
    out["Subject"] = message.get("subject", "")
    out["Date"] = formatdate(sent_at)
    out["Message-ID"] = message.get("internetMessageId") or f"<{new_id('S')}@stand-in>"
    properties: dict[str, str] = {}
    for prop in message.get("singleValueExtendedProperties") or []:
        properties[prop["id"]] = prop["value"]
        named = _HEADER_PROPERTY.fullmatch(prop["id"])
        if named:
            out[named.group(1)] = prop["value"]
        elif prop["id"] == "String 0x1042":
            out["In-Reply-To"] = prop["value"]
        elif prop["id"] == "String 0x1039":
            out["References"] = prop["value"]
    for header in message.get("internetMessageHeaders") or []:
        name = header["name"]
        if not name.lower().startswith("x-"):
            raise BadMessageError(
                "InvalidInternetMessageHeader",
                f"The internet message header name '{name}' should start with 'x-' or 'X-'.",
            )
        out[name] = header["value"]
    body = message.get("body") or {"contentType": "Text", "content": ""}
    content = body.get("content", "")
    if body.get("contentType", "").lower() == "html":
        # Exchange sends an HTML body with a plain-text alternative it derives itself.
        out.set_content(_text_of(content))
        out.add_alternative(content, subtype="html")
        html_part = out.get_body(("html",))
    else:
        out.set_content(content)
        html_part = None
    for attachment in message.get("attachments") or []:
        maintype, _, subtype = attachment["contentType"].partition("/")
        data = base64.b64decode(attachment["contentBytes"])
        cid = attachment.get("contentId")
        if attachment.get("isInline") and cid and html_part is not None:
            html_part.add_related(
                data, maintype, subtype, cid=f"<{cid}>", filename=attachment["name"]
            )
        else:
            out.add_attachment(data, maintype, subtype, filename=attachment["name"])
    return out.as_bytes(), properties
