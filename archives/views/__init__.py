"""The archive's pages, by concept: the archive itself, imports and exports, balances."""

from .archive import PAGE_SIZE, home, require_head_office

__all__ = ["PAGE_SIZE", "home", "require_head_office"]
