"""Embedding moss-agent in a program: one-shot answers, streamed events, a multi-turn session.

Run: .venv/bin/python demos/embed.py   (first start assembles and converts the embedded model)
"""

from __future__ import annotations

from agent import Agent
from agent.events import CommandsIssued, TokenEvent, ToolResultEvent, TurnDone, WarningEvent


def main() -> None:
    with Agent(progress=True) as agent:
        # 1. One question, one structured answer.
        result = agent.run("What is 347 multiplied by 29?")
        print("reply:", result.reply)
        print("calls:", [call.text for call in result.calls])
        print(f"tokens: {result.tokens.generated} generated in {result.timings.total_s:.1f} s")

        # 2. The same, as events: show tool use as it happens and stream the reply.
        for event in agent.stream("Solve x^2 = 49 for x."):
            if isinstance(event, CommandsIssued) and event.calls:
                print("-> running", event.text)
            elif isinstance(event, ToolResultEvent):
                print("<-", event.result.render_body().strip())
            elif isinstance(event, TokenEvent) and event.segment == "reply":
                print(event.text, end="", flush=True)
            elif isinstance(event, WarningEvent):
                print(f"\n(warning: {event.message})")
            elif isinstance(event, TurnDone):
                print()

        # 3. A conversation that remembers: the second question refers to the first answer.
        session = agent.session()
        print(session.run("What is 12 squared?").reply)
        print(session.run("And that number plus 10?").reply)


if __name__ == "__main__":
    main()
