"""Assessment models, one module per concept; this file only imports them so Django finds them."""

from .models_fieldwork import *  # noqa: F403
from .models_ledger import *  # noqa: F403
from .models_statements import *  # noqa: F403
