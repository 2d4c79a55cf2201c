"""Understanding words without Alexa: for chat, ask and the offline voice mode.

    resolver.py    exact: text against the interaction model's samples and slot values
    own_words.py   tolerant: people's own words, cleaned, corrected, in three bands
    classifier.py  what own_words asks when nothing matches exactly: a ridge classifier
                   fitted on the samples and content/asked/
    recognition.py speech to text with PocketSphinx: a grammar pass (grammar.py), a phone
                   loop to measure it against, an open pass (open_pass.py,
                   language_model.py), and the decision between them; lexicon.py and
                   sound.py prepare the words and the audio

All compare text in content.text's one normalised form.
"""

# What the en-US acoustic model was trained on: the rate speech is recorded and
# recognised at, in the voice mode and the recogniser alike.
RECOGNITION_SAMPLE_RATE = 16_000
