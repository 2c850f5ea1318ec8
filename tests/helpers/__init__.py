"""What several test folders share: model fixtures, the tools the sandbox tests run, scripted
servers (HTTP completions, MCP, `moss-agent serve`) and checks made from outside the sandbox.
Nothing here is collected as a test."""
