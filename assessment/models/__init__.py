"""Assessment models, one module per concept; this file only imports them so Django finds them."""

from .fieldwork import *  # noqa: F403
from .ledger import *  # noqa: F403
from .statements import *  # noqa: F403
