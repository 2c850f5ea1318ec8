"""moss-agent's runtime: the MOSS-003 wire format, the turn loop, model backends and the CLI."""
