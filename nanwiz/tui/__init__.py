"""nanwiz.tui: the interactive troubleshooting session (Textual). Only `nanwiz.commands.tui` imports it."""
