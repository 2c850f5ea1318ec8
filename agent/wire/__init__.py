"""The MOSS-003 wire format beyond calls and Results, one concern a module.

`agent.format` (models and rendering) and `agent.parse` (tolerant reading) are the public faces;
import from them. Calls and the Results segment, what the tools' side needs too, are in
`tools.wire` (markers, `Call`, `ParseWarning`, the Commands scanner, Results); the modules here
build on them:

- `meta`: the meta instruction and its capabilities block;
- `turn`: one turn in rounds (thoughts, calls, results), and its one renderer;
- `conversation`: conversations in the shape of the shared MOSS JSON files.
"""
