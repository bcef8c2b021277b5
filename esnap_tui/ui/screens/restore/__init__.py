"""The restore screens: the wizard (``R``), its monitor, and the restores-in-flight list (``w``).

Importing this package registers the wizard for the ``R`` key (``extensions._PROVIDERS``).
"""

from esnap_tui.ui.screens.extensions import register_screen
from esnap_tui.ui.screens.restore.wizard import RestoreWizard, open_wizard

register_screen("restore", open_wizard)

__all__ = ["RestoreWizard", "open_wizard"]
