"""Team work through a shared folder: no server, no lock files, nothing lost.

Each workstation keeps its own `mldesk.db`; the shared folder holds only write-once files
(`folder`): the objects, and each workstation's journal of change batches (`batch`). Changes
to mutable things carry a hybrid logical clock (`store.hlc`) so every workstation orders them the
same way. See docs/sync.md for the rules.
"""
