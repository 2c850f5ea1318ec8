"""Model backends behind one small protocol (see `agent.backends.base`)."""
