"""A minimal MCP stdio server for bench/mcp_calls.py: one trivial tool, written with the `mcp` SDK."""

from mcp.server import MCPServer

server = MCPServer("bench")


@server.tool()
def echo(text: str) -> str:
    """Return the text."""
    return text


if __name__ == "__main__":
    server.run()
