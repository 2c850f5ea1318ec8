"""How turns sit in the model's transcript around the MOSS segments.

Inside a turn the text is always MOSS-003 (`<|Inner Thoughts|>:` ... `<eom>`), and that is what
sessions record and export. What surrounds it depends on the model. A MOSS model reads
`<|Human|>: ...<eoh>`. A chat model that never saw MOSS (the embedded Qwen2.5-Coder) answers
far better when the user's text sits in its own chat roles: measured with the MOSS framing, it
answered most plain questions by writing a new question instead of a reply, while the same
model under ChatML roles answered them. The MOSS segments then form the assistant's message.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from agent.format import EOH, HUMAN, INNER_THOUGHTS, Turn


class Framing(BaseModel):
    """The strings around the meta instruction, the user's text and each turn."""

    model_config = ConfigDict(frozen=True)

    name: str
    system_open: str = ""
    system_close: str = ""
    turn_open: str
    human_close: str
    turn_close: str
    stops: tuple[str, ...] = ()  # markers that can only mean the model left its segment

    def system(self, meta_instruction: str) -> str:
        return self.system_open + meta_instruction + self.system_close

    def open_turn(self, question: str) -> str:
        """Everything the runtime writes before the model's inner thoughts."""
        return f"{self.turn_open}{question}{self.human_close}{INNER_THOUGHTS}"

    def render_turn(self, turn: Turn) -> str:
        """A finished turn as this framing puts it in the transcript; the MOSS part between
        the user's text and the turn's close is `Turn.model_text()`, the one renderer."""
        return self.open_turn(turn.question) + turn.model_text() + self.turn_close


MOSS_FRAMING = Framing(name="moss", turn_open=f"{HUMAN} ", human_close=f"{EOH}\n", turn_close="\n")

CHATML_FRAMING = Framing(
    name="chatml",
    system_open="<|im_start|>system\n",
    system_close="<|im_end|>\n",
    turn_open="<|im_start|>user\n",
    human_close="<|im_end|>\n<|im_start|>assistant\n",
    turn_close="\n<|im_end|>\n",
    stops=("<|im_start|>", "<|im_end|>"),
)

FRAMINGS = {f.name: f for f in (MOSS_FRAMING, CHATML_FRAMING)}
