"""The plugins shipped with moss-agent. Each registers through the `moss_agent.plugins`
entry-point group, exactly as a third-party plugin does, and imports only from `tools`."""
