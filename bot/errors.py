"""The bot's own errors share one base, so a caller can tell them from a library's."""


class AuditBotError(Exception):
    """Something the bot itself found wrong: bad input, a refused value, a failed service."""
