"""The few-shot turns a model that never saw MOSS reads before the first question.

Each tool carries its own example calls (`Tool.examples`, a `tools.examples.ToolExample` each:
Calculate's are in `plugins/_calculate_examples.py`, and a third-party tool is shown the same
way); the plain examples, questions answered without a tool, live here. `few_shot_turns` merges
the enabled tools' examples with the plain ones by `order`, the place each has in the sequence
that was measured. Two thought styles, chosen by `TurnPolicy.plan_thoughts`:

- `short` (the default): tool thoughts are one decision sentence ("This is a calculation, so I
  use the calculator."), then the call.
- `plan`: the decision sentence, then the quantities the call will use; measured not to pay
  with the embedded model (see the comment on `PLAN_RULE`), kept so it can be measured again.

`pool_turns` is the other use of the same examples: every short-style example (the tools'
`retrieved` ones, which the prefix never shows, and the fixed ones) and the plain pool below,
searched per question by `agent.nearest` when `TurnPolicy.nearest_examples` is on.

The examples are our own text in the MOSS style, not copies of the MOSS training data (which is
licensed for non-commercial use), and none is taken from the development questions in `bench/`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from agent.format import Round, Turn
from tools.examples import Style, ToolExample

# One line added to MOSS's persona for models that were not trained on it: without it a small
# model decides that arithmetic it "knows" needs no tool, and states wrong numbers.
TOOL_RULE = (
    "- MOSS uses a tool for every calculation, however simple, and for every equation; "
    "for anything else its Commands are None.\n"
)
# With Search enabled the rule also says what to look up: without it the model answers
# questions about facts from memory and invents the answer.
SEARCH_RULE = (
    "- MOSS uses the calculator for every calculation, the equation solver for every equation, "
    "and the search engine for every question about facts: people, companies, places, dates "
    "and figures; for anything else its Commands are None.\n"
)
NO_TOOL = "This is not a calculation, so no tool is needed; I answer directly."

# Measured on the tuning split (bench/accuracy.py --split tune, llama.cpp): a first plan set whose
# thoughts wrote the whole formula in words and whose examples combined an average with rounding,
# and showed a failed `gcf(...)` fixed in a second round, was copied: averages of any count were
# divided by 5 and rounded, and replies read "The calculator has no X; it calls it Y" (13% of tool
# questions right). Qwen2.5-Coder writes code far better than prose arithmetic, so this set's calls
# name the quantities the way a program would (`price=3.5; count=12; price*count`), which the
# calculator evaluates, and each example shows a different structure. That second set (thoughts
# that only restated the quantities) lost to the short set on the tuning subset, 22.9% against
# 28.2%: with no decision sentence first the model solved quadratics and looked up facts in its
# thoughts instead of calling a tool (quadratics 1/10 against 7/10, lookups 1/5 against 5/5). So
# every tool thought here opens with the short set's decision sentence, then the plan.
PLAN_RULE = (
    "- MOSS uses a tool for every calculation, however simple, and for every equation; "
    "for anything else its Commands are None. With several quantities, its call names them "
    "and computes the answer from them (price=3.5; count=12; price*count).\n"
    "- The calculator knows + - * / ^ %, sqrt, root(x, n), round(x, n), gcd, lcm, mod, unit "
    "conversions (5 km to m) and definitions (f(x)=2x+1; f(3)). The solver takes equations "
    "separated by ; and returns every solution.\n"
)
PLAN_SEARCH_RULE = (
    "- MOSS uses the calculator for every calculation, the equation solver for every equation, "
    "and the search engine for every question about facts: people, companies, places, dates "
    "and figures; for anything else its Commands are None. With several quantities, its call "
    "names them and computes the answer from them (price=3.5; count=12; price*count).\n"
    "- The calculator knows + - * / ^ %, sqrt, root(x, n), round(x, n), gcd, lcm, mod, unit "
    "conversions (5 km to m) and definitions (f(x)=2x+1; f(3)). The solver takes equations "
    "separated by ; and returns every solution.\n"
)


@dataclass(frozen=True)
class PlainExample:
    """A question answered without a tool, at `orders[style]` in that style's sequence (not
    shown in a style it has no place in), when every tool in `needs` is enabled and none in
    `unless`."""

    question: str
    thoughts: str
    reply: str
    orders: dict[str, float]
    needs: frozenset[str] = frozenset()
    unless: frozenset[str] = frozenset()

    def shown(self, enabled: Collection[str], style: str) -> bool:
        return style in self.orders and self.needs <= set(enabled) and not self.unless & set(enabled)

    def turn(self) -> Turn:
        return Turn(question=self.question, thoughts=self.thoughts, reply=self.reply)


def tool_turn(example: ToolExample) -> Turn:
    """A tool's example as the turn the framing renders."""
    rounds = tuple(Round(thoughts=r.thoughts, calls=r.calls, results=r.results) for r in example.rounds)
    return Turn(question=example.question, rounds=rounds, reply=example.reply)


# Order matters, measured with bench/accuracy.py: calls and plain answers alternate so that
# neither habit dominates, and the last example weighs most (a Chinese greeting placed last
# made the model greet in Chinese and stop calling tools). The thoughts name the reason (a
# calculation, a question about facts, or neither); "I can do this myself", tried first, was
# copied into arithmetic questions, which then got wrong answers. Tool thoughts are one short
# sentence (every token is decode time: ~0.5 s per tool turn saved on llama.cpp at the same
# accuracy); plain-question thoughts restate the question, which keeps the reply on it. With
# Search enabled, the plain examples that are questions about facts give way to searches and a
# plain request (the birthday wish); tried with `bench/accuracy.py --search` on llama.cpp: a
# Chinese plain example made English questions get Chinese replies (chat 16/20), a Chinese
# search last made English questions search in Chinese, a pet-name example last had its reply
# copied into an unrelated question; ending on an English search did best (9/10 searched, 6/10
# right, chat 19/20). A fourth example searching software documentation (a PostgreSQL setting)
# made the model search questions about its own README, but it then wrote prose into
# Calculate ("7.5% of 1200"): 18/22 calculator questions instead of 21/22, so it is left out.
PLAIN_EXAMPLES: tuple[PlainExample, ...] = (
    PlainExample("What is the capital of France?",
                 f"The user asks which city is the capital of France. {NO_TOOL}",
                 "The capital of France is Paris.", {"short": 1, "plan": 1}, unless=frozenset({"Search"})),
    PlainExample("Translate 'good morning' into French.", f"The user wants 'good morning' in French. {NO_TOOL}",
                 "'Good morning' in French is 'Bonjour'.", {"short": 4, "plan": 4}),
    PlainExample("Tell me a short joke.", f"The user wants a joke. {NO_TOOL}",
                 "Why did the scarecrow win an award? Because he was outstanding in his field!",
                 {"short": 7, "plan": 8}),
    PlainExample("用一句话介绍一下长城。", "用户想要一句话介绍长城。这不是计算问题，不需要工具，我直接回答。",
                 "长城是中国古代修建的军事防御工程，绵延上万里，是世界上最著名的建筑奇迹之一。",
                 {"short": 12, "plan": 11}),
    PlainExample("Suggest a name for a pet goldfish.", f"The user wants a name for a goldfish. {NO_TOOL}",
                 "How about 'Bubbles'? It is cheerful and suits a goldfish.", {"short": 13}),
    PlainExample("“美丽”是什么意思？", "用户想知道“美丽”的意思。这不是计算问题，不需要工具，我直接回答。",
                 "“美丽”的意思是好看、漂亮，使人看了产生美感。", {"short": 17.5}),
    PlainExample("Write a one-line birthday wish for my sister.",
                 f"The user wants a birthday wish for a sister. {NO_TOOL}",
                 "Happy birthday to the best sister in the world: may this year bring you joy!",
                 {"short": 14, "plan": 14}, needs=frozenset({"Search"})),
    PlainExample("Who painted the Mona Lisa?", f"The user asks who painted the Mona Lisa. {NO_TOOL}",
                 "The Mona Lisa was painted by Leonardo da Vinci.", {"short": 22, "plan": 22},
                 unless=frozenset({"Search"})),
)


# The plain part of the pool `agent.nearest` searches (`TurnPolicy.nearest_examples`): requests
# that need no tool, so that a chat question finds a `None` turn nearest to it rather than a
# calculation. Written for the pool, not taken from the development questions in `bench/`.
def _plain(question: str, thoughts: str, reply: str, unless: frozenset[str] = frozenset()) -> PlainExample:
    return PlainExample(question, thoughts, reply, {"nearest": 0}, unless=unless)


ZH_NO_TOOL = "这不是计算问题，不需要工具，我直接回答。"
PLAIN_POOL: tuple[PlainExample, ...] = (
    _plain("Give me a word that means the same as 'happy'.", f"The user wants a synonym of 'happy'. {NO_TOOL}",
           "A word that means the same as 'happy' is 'joyful'."),
    _plain("What is the opposite of 'generous'?", f"The user wants the opposite of 'generous'. {NO_TOOL}",
           "The opposite of 'generous' is 'stingy' (or 'selfish')."),
    _plain("How do you say 'thank you' in Spanish?", f"The user wants 'thank you' in Spanish. {NO_TOOL}",
           "'Thank you' in Spanish is 'gracias'."),
    _plain("Write a haiku about winter.", f"The user wants a haiku about winter. {NO_TOOL}",
           "Snow on silent roofs,\nthe long night breathes out its frost,\nmorning comes slowly."),
    _plain("Give me two tips for staying focused while studying.", f"The user wants tips for studying. {NO_TOOL}",
           "1. Put your phone in another room. 2. Work in 25-minute blocks with short breaks."),
    _plain("Explain what a noun is, with an example.", f"The user wants to know what a noun is. {NO_TOOL}",
           "A noun is a word that names a person, place or thing, such as 'teacher', 'London' or 'chair'."),
    _plain("Fix the grammar: 'He go to school every day.'", f"The user wants the sentence corrected. {NO_TOOL}",
           "The correct sentence is: 'He goes to school every day.'"),
    _plain("Write a JavaScript function that adds two numbers.", f"The user wants a small JavaScript function. {NO_TOOL}",
           "function add(a, b) {\n  return a + b;\n}"),
    _plain("Good morning!", f"The user greets me. {NO_TOOL}", "Good morning! How can I help you today?"),
    _plain("Suggest a name for a bakery.", f"The user wants a name for a bakery. {NO_TOOL}",
           "How about 'The Golden Crust'?"),
    _plain("“勤奋”的反义词是什么？", f"用户想知道“勤奋”的反义词。{ZH_NO_TOOL}", "“勤奋”的反义词是“懒惰”。"),
    _plain("“美丽”有哪些近义词？", f"用户想知道“美丽”的近义词。{ZH_NO_TOOL}", "“美丽”的近义词有“漂亮”、“好看”和“秀丽”。"),
    _plain("“守株待兔”是什么意思？", f"用户想知道成语“守株待兔”的意思。{ZH_NO_TOOL}",
           "“守株待兔”比喻死守狭隘的经验，不知变通，或者妄想不劳而获。"),
    _plain("把“I love reading”翻译成中文。", f"用户想把一句英文翻译成中文。{ZH_NO_TOOL}", "“I love reading”的意思是“我喜欢读书”。"),
    _plain("写两句关于大海的诗。", f"用户想要两句关于大海的诗。{ZH_NO_TOOL}", "碧波万里接天涯，白浪千层映晚霞。"),
    _plain("怎样才能养成早起的习惯？", f"用户想知道如何养成早起的习惯。{ZH_NO_TOOL}",
           "可以每天固定时间睡觉和起床，睡前少看手机，把闹钟放在离床远一点的地方。"),
    _plain("用Python写一个函数，返回列表中最大的数。", f"用户想要一个Python函数。{ZH_NO_TOOL}",
           "def largest(numbers):\n    return max(numbers)"),
    _plain("晚上好！", f"用户在向我问好。{ZH_NO_TOOL}", "晚上好！有什么可以帮你的吗？"),
    _plain("请用“虽然……但是……”造一个句子。", f"用户想用“虽然……但是……”造句。{ZH_NO_TOOL}",
           "虽然今天下雨了，但是我们还是去了公园。"),
    # Requests that hold numbers or compare things but ask for no calculation, feelings, sayings,
    # reasons and word forms: without them such a request found a calculation or a search nearest
    # and got a tool call (the tuning split's chat questions, 4 of 38).
    _plain("My exam is on Friday and I'm worried I will fail. Say something encouraging.",
           f"The user is worried about an exam and wants encouragement. {NO_TOOL}",
           "You have prepared for this, and worrying shows you care. Take it one question at a time: you can do it!"),
    _plain("Which is faster, a cheetah or a tortoise?", f"The user wants to compare a cheetah and a tortoise. {NO_TOOL}",
           "A cheetah is far faster than a tortoise: it is the fastest land animal."),
    _plain("Is a tomato a fruit or a vegetable?", f"The user asks what kind of food a tomato is. {NO_TOOL}",
           "A tomato is a fruit to a botanist, because it holds seeds, but it is cooked as a vegetable."),
    _plain("Why should we eat vegetables every day?", f"The user wants to know why vegetables are good for us. {NO_TOOL}",
           "Vegetables give us vitamins, minerals and fibre, which keep the body healthy and help digestion."),
    _plain("What does the saying 'the early bird catches the worm' mean?",
           f"The user wants the meaning of a saying. {NO_TOOL}",
           "It means that people who start early or act first have the best chance of success."),
    _plain("What is the past tense of 'swim'?", f"The user wants the past tense of 'swim'. {NO_TOOL}",
           "The past tense of 'swim' is 'swam' (and the past participle is 'swum')."),
    _plain("My son turns 8 on Saturday. Write a short birthday message for him.",
           f"The user wants a birthday message for a son. {NO_TOOL}",
           "Happy 8th birthday! May your day be full of games, cake and laughter."),
    _plain("I have 2 free days next week. What could I do to relax?", f"The user wants ideas for relaxing. {NO_TOOL}",
           "You could take a long walk in nature, read a good book, and sleep in without an alarm."),
    _plain("List 3 things to pack for a day at the beach.", f"The user wants a short packing list. {NO_TOOL}",
           "1. Sunscreen 2. A towel 3. A bottle of water"),
    _plain("Recommend a book for someone who likes mysteries.", f"The user wants a mystery book. {NO_TOOL}",
           "Try 'The Hound of the Baskervilles' by Arthur Conan Doyle."),
    _plain("Explain photosynthesis in one sentence.", f"The user wants photosynthesis explained. {NO_TOOL}",
           "Photosynthesis is how plants use sunlight, water and carbon dioxide to make sugar and release oxygen."),
    _plain("Write a Python function that reverses a string.", f"The user wants a small Python function. {NO_TOOL}",
           "def reverse(text):\n    return text[::-1]"),
    _plain("Write a short apology to a friend for missing her party.", f"The user wants a short apology. {NO_TOOL}",
           "I'm so sorry I missed your party. I hope it was wonderful, and I'd love to hear all about it."),
    _plain("How can I fall asleep faster?", f"The user wants tips for falling asleep. {NO_TOOL}",
           "Go to bed at the same time each night, keep the room dark and cool, and put screens away an hour before."),
    _plain("我最近工作压力很大，心情不好，你能安慰我一下吗？", f"用户压力很大，想得到安慰。{ZH_NO_TOOL}",
           "辛苦了！压力大说明你很认真。给自己放个小假，好好休息一下，事情会慢慢好起来的。"),
    _plain("太阳和地球哪个更大？", f"用户想比较太阳和地球的大小。{ZH_NO_TOOL}", "太阳比地球大得多。"),
    _plain("为什么睡觉前不要玩手机？", f"用户想知道睡前不玩手机的原因。{ZH_NO_TOOL}",
           "手机屏幕的光会让大脑保持兴奋，影响入睡，也会降低睡眠质量。"),
    _plain("“马到成功”是什么意思？", f"用户想知道成语“马到成功”的意思。{ZH_NO_TOOL}",
           "“马到成功”形容事情一开始就取得成功，常用来祝愿别人顺利。"),
    _plain("“一寸光阴一寸金”这句话是什么意思？", f"用户想知道一句俗语的意思。{ZH_NO_TOOL}",
           "这句话是说时间像金子一样宝贵，要珍惜时间。"),
    _plain("英语单词run的过去式是什么？", f"用户想知道run的过去式。{ZH_NO_TOOL}",
           "run的过去式是ran，过去分词是run。"),
    _plain("帮我写一句祝老师教师节快乐的话。", f"用户想要一句教师节祝福。{ZH_NO_TOOL}",
           "老师，您辛苦了！祝您教师节快乐，身体健康，工作顺利！"),
    _plain("推荐三种适合周末做的运动。", f"用户想要三种周末运动的建议。{ZH_NO_TOOL}", "可以试试跑步、游泳和骑自行车。"),
    _plain("用一句话解释什么是地心引力。", f"用户想要一句话解释地心引力。{ZH_NO_TOOL}",
           "地心引力是地球吸引物体的力，所以东西会往下掉。"),
    _plain("“加油”用英语怎么说？", f"用户想知道“加油”的英文说法。{ZH_NO_TOOL}", "“加油”可以说“Come on!”或者“You can do it!”。"),
    _plain("我家有两只小猫，帮它们起个名字吧。", f"用户想给两只小猫起名字。{ZH_NO_TOOL}", "可以叫它们“团团”和“圆圆”。"),
    _plain("怎样才能提高英语口语？", f"用户想知道怎样提高英语口语。{ZH_NO_TOOL}",
           "每天大声朗读，多听英语节目并跟着说，找机会和别人用英语聊天。"),
)


def pool_turns(tool_examples: Sequence[ToolExample], enabled: Collection[str]) -> list[Turn]:
    """The pool `agent.nearest` searches for these enabled tools: every example of the short
    style whose tools are all enabled, the fixed ones included (the lamps' lcm in the prefix is
    the one to copy for two buses, and it helps more right before the question), and the
    plain examples."""
    names = set(enabled)
    plain = [p.turn() for p in PLAIN_EXAMPLES + PLAIN_POOL if p.shown(names, "short") or p.shown(names, "nearest")]
    return plain + [tool_turn(e) for e in tool_examples if e.style == "short" and e.shown(names)]


def few_shot_turns(tool_examples: Sequence[ToolExample], enabled: Collection[str],
                   plan_thoughts: bool = False) -> list[Turn]:
    """The example turns for these enabled tools, in order: each tool's examples of the style
    whose tools are all enabled, and the plain examples, merged by `order` (ties keep the
    plain one first, then the tools' in the order given)."""
    style: Style = "plan" if plan_thoughts else "short"
    names = set(enabled)
    ranked: list[tuple[float, int, Turn]] = []
    for plain in PLAIN_EXAMPLES:
        if plain.shown(names, style):
            ranked.append((plain.orders[style], len(ranked), plain.turn()))
    for example in tool_examples:
        if example.style == style and not example.retrieved and example.shown(names):
            ranked.append((example.order, len(ranked), tool_turn(example)))
    return [turn for _, _, turn in sorted(ranked, key=lambda item: (item[0], item[1]))]


def tool_rule(enabled_tools: Collection[str], plan_thoughts: bool = False) -> str:
    """The line(s) added to the persona of a model that was not trained on MOSS."""
    search = "Search" in enabled_tools
    if plan_thoughts:
        return PLAN_SEARCH_RULE if search else PLAN_RULE
    return SEARCH_RULE if search else TOOL_RULE
