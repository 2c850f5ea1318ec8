"""Solve's few-shot examples.

Each is a few-shot turn shown to a model that never saw MOSS (`tools.examples`); `order` is its
place in the sequence measured with `bench/accuracy.py` (calls and plain answers alternate, the
last weighs most), `style` the thought style it belongs to (`TurnPolicy.plan_thoughts`).
`tests/test_prompt.py` checks every result against the tool itself.
"""

from __future__ import annotations

from tools import ToolResult
from tools.examples import ToolExample

SOLVE = "This is a system of equations, so I use the equation solver."
EQUATION = "This is an equation, so I use the equation solver."


SOLVE_EXAMPLES: tuple[ToolExample, ...] = (
    ToolExample.one_call(
        "Two numbers add up to 30 and their difference is 8. What are they?", SOLVE,
        'Solve("x+y=30;x-y=8")', ToolResult.lines(["x = 19", "y = 11"]),
        "The two numbers are 19 and 11.", order=5,
    ),
    ToolExample.one_call(
        "Solve 3x + 2y = 16 and x - y = 2.", SOLVE,
        'Solve("3x+2y=16;x-y=2")', ToolResult.lines(["x = 4", "y = 2"]),
        "The solution is x = 4 and y = 2.", order=10,
    ),
    ToolExample.one_call(
        "Find x if x^2 - 5x - 14 = 0.", EQUATION,
        'Solve("x^2-5x-14=0")', ToolResult.lines(["x_0 = -2", "x_1 = 7"]),
        "The solutions are x = -2 and x = 7.", order=11,
    ),
    ToolExample.one_call(
        "Two numbers add up to 30 and their difference is 8. What are they?", f"{SOLVE} x + y = 30 and x - y = 8.",
        'Solve("x+y=30;x-y=8")', ToolResult.lines(["x = 19", "y = 11"]),
        "The two numbers are 19 and 11.", order=5, style="plan",
    ),
    ToolExample.one_call(
        "Solve x^2 - 5x - 14 = 0.", f"{EQUATION} x^2 - 5x - 14 = 0.",
        'Solve("x^2-5x-14=0")', ToolResult.lines(["x_0 = -2", "x_1 = 7"]),
        "The solutions are x = -2 and x = 7.", order=10, style="plan",
    ),
    ToolExample.one_call(
        "Let k = 2*3 - 1. Solve k*t - 4 = 3*t for t.", f"{EQUATION} k = 2*3 - 1 and k*t - 4 = 3*t.",
        'Solve("k=2*3-1; k*t-4=3*t")', ToolResult.lines(["k = 5", "t = 2"]),
        "t = 2 (with k = 5).", order=15, style="plan",
    ),
)
