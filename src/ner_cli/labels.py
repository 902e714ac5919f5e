"""Label colours, shared by the terminal and HTML views (Okabe-Ito, colour-blind safe)."""

COLOURS = {
    "PER": "#56B4E9",  # sky blue
    "LOC": "#009E73",  # bluish green
    "ORG": "#E69F00",  # orange
    "MISC": "#CC79A7",  # reddish purple
}
OTHER = "#BBBBBB"


def colour(label: str) -> str:
    """The colour of ``label`` (grey for labels other pipelines may add)."""
    return COLOURS.get(label, OTHER)
