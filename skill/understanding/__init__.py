"""Understanding words without Alexa: for chat, ask and the offline voice mode.

    resolver.py   exact: text against the interaction model's samples and slot values
    own_words.py  tolerant: people's own words, scored, in three bands of confidence
    (recognition.py, speech to text with PocketSphinx, is still at skill/recognition.py)

Both compare text in content.text's one normalised form.
"""
