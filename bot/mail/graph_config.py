"""The Graph transport's settings, apart from the transport: reading config.yaml must not
load the HTTP stack (requests, msal) that only a Graph deployment uses."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class GraphMail(BaseModel):
    """``mail:`` in config.yaml for the Graph transport. The secret is never here: a
    certificate (preferred) or AUDITBOT_CLIENT_SECRET / AUDITBOT_CLIENT_SECRET_FILE."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    transport: Literal["graph"]
    tenant_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    mailbox: str = Field(min_length=3)
    graph_url: str = "https://graph.microsoft.com/v1.0"
    authority: str = "https://login.microsoftonline.com"
    certificate_path: Path | None = None
    certificate_thumbprint: str | None = None
    send_per_minute: int = Field(default=30, ge=1)
    timeout_seconds: float = Field(default=30, gt=0, le=300)
    # Act only on replies Exchange marks as authenticated inside the organisation.
    require_internal_sender: bool = True
