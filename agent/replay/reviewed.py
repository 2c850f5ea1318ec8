"""Disagreements with the recorded MOSS results that were reviewed and judged recording errors.

Keyed by `folder/file.json` and the command exactly as issued, with a one-line reason each.
`moss-agent replay DIR --run` and tests/test_replay_run.py treat any disagreement not listed
here as a failure, and report an entry here that no longer disagrees. Kept as a module (not a
data file) so that it ships with the package.
"""

from __future__ import annotations

_OUTAGE = "valid arithmetic the recorder failed on (its 'No calculation results.' outage in mix 1-50)"

RECORDING_ERRORS: tuple[tuple[str, str, str], ...] = (
    ('calculator/calculator_plugin_conversation_17.json', 'Calculate("7!/(4!*(7-4)!)")', "the recorder could not read '!'; 7!/(4!*3!) = 35"),
    ('calculator/calculator_plugin_conversation_17.json', 'Calculate("7!/(5!*(7-5)!)")', "the recorder could not read '!'; 7!/(5!*2!) = 21"),
    ('equation_solver/solver_plugin_conversation_6.json', 'Solve("12*20*x=960")', 'solvable: 240x = 960, x = 4'),
    ('equation_solver/solver_plugin_conversation_13.json', 'Solve("a=6;b=8;c=sqrt(a^2+b^2);R=(a*b*c)/(4*sqrt((a+b+c)*(b+c-a)*(a+c-b)*(a+b-c)));R")', 'every unknown is fixed in turn: a=6, b=8, c=10, R=480/384=5/4'),
    ('equation_solver/solver_plugin_conversation_19.json', 'Solve("x+y=112;2x+4y=336")', 'solvable linear system: x=56, y=56 satisfies both'),
    ('equation_solver/solver_plugin_conversation_23.json', 'Solve("5^2+5^2-2*5*5*cos(x)=8^2")', 'cos(x) = -7/25 has the roots acos(-7/25) = 1.8546 and 2*pi minus it'),
    ('equation_solver/solver_plugin_conversation_25.json', 'Solve("x+y=25;x/y=2/3")', 'solvable: x=10, y=15'),
    ('equation_solver/solver_plugin_conversation_36.json', 'Solve("x^2=24")', 'solvable: x = -2*sqrt(6), 2*sqrt(6)'),
    ('equation_solver/solver_plugin_conversation_40.json', 'Solve("x/10+(x/y)/18=1;(x/y)+(2/10)=1")', 'solvable: x/y = 4/5 gives x = 86/9, y = 215/18'),
    ('equation_solver/solver_plugin_conversation_49.json', 'Solve("2*(x+y)=32;x*y=25")', 'solvable: x, y = 8 -/+ sqrt(39)'),
    ('equation_solver/solver_plugin_conversation_66.json', 'Solve("y=2x-3;10x+y=0.45(10y+x)")', 'solvable linear system: x = -70/17, y = -191/17'),
    ('equation_solver/solver_plugin_conversation_87.json', 'Solve("{(x+y)-2=27,x/y=(3/2)((x-2)/(y-2))}")', 'solvable once the braces are read as grouping: x = 39/2 -/+ 5*sqrt(33)/2'),
    ('equation_solver/solver_plugin_conversation_88.json', 'Solve("4*pi*r^2=128")', 'solvable: r = +/- sqrt(32/pi) = 3.1915'),
    ('equation_solver/solver_plugin_conversation_89.json', 'Solve("5*ln(x+1)+3.5=0")', 'solvable: x = exp(-0.7) - 1 = -0.5034'),
    ('equation_solver/solver_plugin_conversation_90.json', 'Solve("mu=32;sigma^2+mu^2=25+32^2")', 'solvable: mu = 32, sigma = -5 or 5'),
    ('equation_solver/solver_plugin_conversation_94.json', 'Solve("4*pi*r^2=15*pi;r^3*4/3*pi=v")', 'solvable: r = +/- sqrt(15)/2, v = 4/3*pi*r^3'),
    ('mix/mix_plugin_conversation_61.json', 'Solve("6*pi=2*pi*r")', 'solvable: r = 3'),
    ('mix/mix_plugin_conversation_89.json', 'Solve("9/10*x=90")', 'solvable: x = 100'),
    ('mix/mix_plugin_conversation_17.json', 'Calculate("2022+5")', _OUTAGE),
    ('mix/mix_plugin_conversation_19.json', 'Calculate("67570000-64102140")', _OUTAGE),
    ('mix/mix_plugin_conversation_22.json', 'Calculate("1000000/500")', _OUTAGE),
    ('mix/mix_plugin_conversation_27.json', 'Calculate("699*2")', _OUTAGE),
    ('mix/mix_plugin_conversation_27.json', 'Calculate("999*2")', _OUTAGE),
    ('mix/mix_plugin_conversation_31.json', 'Calculate("6e8-4e8")', _OUTAGE),
    ('mix/mix_plugin_conversation_32.json', 'Calculate("3.33e8*0.601")', _OUTAGE),
    ('mix/mix_plugin_conversation_32.json', 'Calculate("3.33e8*0.185")', _OUTAGE),
    ('mix/mix_plugin_conversation_32.json', 'Calculate("3.33e8*0.134")', _OUTAGE),
    ('mix/mix_plugin_conversation_32.json', 'Calculate("3.33e8*0.059")', _OUTAGE),
    ('mix/mix_plugin_conversation_32.json', 'Calculate("3.33e8*0.028")', _OUTAGE),
    ('mix/mix_plugin_conversation_32.json', 'Calculate("3.33e8*0.013")', _OUTAGE),
    ('mix/mix_plugin_conversation_32.json', 'Calculate("3.33e8*0.002")', _OUTAGE),
    ('mix/mix_plugin_conversation_34.json', 'Calculate("2^10")', _OUTAGE),
    ('mix/mix_plugin_conversation_36.json', 'Calculate("67330000/244820")', _OUTAGE),
    ('mix/mix_plugin_conversation_39.json', 'Calculate("2+2")', _OUTAGE),
    ('mix/mix_plugin_conversation_40.json', 'Calculate("94885/(94885+108818)")', _OUTAGE),
    ('mix/mix_plugin_conversation_40.json', 'Calculate("108818/(94885+108818)")', _OUTAGE),
    ('mix/mix_plugin_conversation_46.json', 'Calculate("6.0-6.7")', _OUTAGE),
    ('mix/mix_plugin_conversation_50.json', 'Calculate("2^100")', _OUTAGE),
    ('mix/mix_plugin_conversation_50.json', 'Calculate("2^1000")', _OUTAGE),
    ('mix/mix_plugin_conversation_10.json', 'Calculate("6.6%-6.7%")', "the recorder did not read '%' as percent; the percentages subtract exactly (0.066-0.067 = -0.001)"),
    ('mix/mix_plugin_conversation_25.json', 'Calculate("5.9%-(-3.5%)")', "the recorder did not read '%' as percent; the percentages subtract exactly (0.059+0.035 = 0.094)"),
    ('mix/mix_plugin_conversation_26.json', 'Calculate("6.7%-6.9%")', "the recorder did not read '%' as percent; the percentages subtract exactly (0.067-0.069 = -0.002)"),
    ('mix/mix_plugin_conversation_38.json', 'Calculate("3.0%-2.8%")', "the recorder did not read '%' as percent; the percentages subtract exactly (0.030-0.028 = 0.002)"),
    ('mix/mix_plugin_conversation_3.json', 'Calculate("209366亿美元/328.2万人")', 'valid once 亿 (1e8) and 万 (1e4) scale the numbers; the recorder failed (mix 1-50 outage)'),
    ('mix/mix_plugin_conversation_33.json', 'Calculate("147227.31亿美元*6.474")', 'the recorder dropped 亿 (x1e8): its 953149.60494 is ours divided by 1e8, a silently rescaled number'),
    ('mix/mix_plugin_conversation_45.json', 'Calculate("1坦桑尼亚先令等于多少美元")', 'a currency question, not arithmetic: the recorded 1 is the digit left after stripping the words'),
)
