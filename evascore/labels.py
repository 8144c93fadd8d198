"""The clarity scale: the three labels and the techniques, each of which fixes a label.

The reference definitions are in LABELS.md and training_data/GUIDELINES.md.
"""

LABELS = ("direct", "partial", "evasive")

# Each technique fixes the label (training_data/GUIDELINES.md).
TECHNIQUE_LABEL = {
    "explicit": "direct",
    "implicit": "partial",
    "general": "partial",
    "partial_parts": "partial",
    "deflection": "partial",
    "dodging": "evasive",
    "declining": "evasive",
    "not_held": "evasive",
    "referral": "evasive",
    "transfer": "evasive",
    "holding": "evasive",
    "clarification": "evasive",
}
TECHNIQUES = tuple(TECHNIQUE_LABEL)
