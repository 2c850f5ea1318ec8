"""The MOSS-003 wire format, one concern a module.

`agent.format` (models and rendering) and `agent.parse` (tolerant reading) are the public faces;
import from them. The modules here are split so that none of them grows past one job:

- `tags`: the segment markers and the one-line segment renderers;
- `call`: `Call`, one command as the model issued it;
- `warnings`: `ParseWarning`, what a tolerant reader dropped or repaired;
- `commands`: the linear-time scanner for a Commands segment;
- `meta`: the meta instruction and its capabilities block;
- `results`: Results segments, recorded or built from tool results;
- `turn`: one turn in rounds (thoughts, calls, results), and its one renderer;
- `conversation`: conversations in the shape of the shared MOSS JSON files.
"""
