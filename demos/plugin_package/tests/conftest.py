# The sandbox fixture (`moss_sandbox`) and friends from moss-agent's testing helpers.
pytest_plugins = ["tools.testing"]
