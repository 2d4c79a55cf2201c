"""What is published to Amazon, generated from content/ by `spasm-guide model` into skill-package/.

    interaction_model.py  the interaction model per locale (intents, samples, slot types),
                          and which committed files are out of date
    store_listing.py      skill.json, the skill store listing, and its icons
"""
