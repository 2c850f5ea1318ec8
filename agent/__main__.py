"""`python -m agent` is the same as the `moss-agent` command."""

from agent.cli import main

main(prog_name="moss-agent")
