"""The development set and the accuracy bench's parts (bench/accuracy.py is the command).

- `questions`: the data model, loading, the tune/report split; `numbers` and `judge`: reading
  numbers from replies and deciding what is right;
- `generate` with the templates in `gen_words`, `gen_percent`, `gen_algebra`, `gen_numbers`:
  what bench/make_devset.py writes;
- `corpus`: the search corpus indexed for a run; `plain`: the model without tools;
  `run`: asking the questions and keeping rows; `report`: the tables.
"""
