"""Using a served agent from the official `openai` client: an answer with the tool calls the
agent ran, a streamed answer, and a conversation continued by its id.

Run a server first, then this script:

    moss-agent serve --backend llamacpp            # http://127.0.0.1:8000
    python demos/openai_client.py [--base-url http://127.0.0.1:8000/v1]

The key is read from MOSS_AGENT_SERVE_KEY when the server was started with one.
"""

from __future__ import annotations

import argparse
import os

import openai


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000/v1")
    args = parser.parse_args()
    client = openai.OpenAI(base_url=args.base_url, api_key=os.environ.get("MOSS_AGENT_SERVE_KEY", "none"))
    model = client.models.list().data[0].id

    # 1. One answer; what the agent did is in the extra `moss` field.
    answer = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "What is 347 multiplied by 29?"}])
    print("reply:", answer.choices[0].message.content)
    for call in answer.moss["calls"]:
        print(f"  ran {call['text']} => {call['result']}")

    # 2. Streamed: `delta.content` is the reply; chunks with a `moss` field show the agent's steps.
    stream = client.chat.completions.create(
        model=model, stream=True, messages=[{"role": "user", "content": "Solve x^2 = 49 for x."}])
    for chunk in stream:
        step = getattr(chunk, "moss", None)
        if step and step["type"] == "tool_result":
            print(f"\n  [{step['call']['text']} => {step['body']}]")
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
    print()

    # 3. The first conversation, continued: the server keeps its history in the session store.
    follow_up = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "And that number plus 10?"}],
        extra_body={"conversation_id": answer.conversation_id})
    print(f"conversation {follow_up.conversation_id}:", follow_up.choices[0].message.content)


if __name__ == "__main__":
    main()
