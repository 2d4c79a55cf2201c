"""spasm-guide listen: talk to the guide by voice, fully offline.

A front-end only: audio in becomes text through the offline recogniser
(skill/understanding/recognition.py), the text goes to the one conversation engine
(Conversation.answer, with the recogniser's own understanding), and the reply
comes back as speech through Piper or espeak-ng (audio/engines/), at the speed
the listener asked for. There is no dialogue logic here. What the recogniser was
not sure of never reaches the skill: the listener hears "Sorry, I didn't catch
that" (content/messages.yaml, not_caught) and nothing changes (no page moved,
no speed changed, no recording started).

Modes:
  --input FILE|DIR   utterances from .wav files (after the launch), no devices needed
  (default)          push-to-talk: Enter starts recording, Enter stops it
  --hands-free       always listening; say the keyword ("hey guide"), then the command
Audio devices need the optional sounddevice package (extra "voice") and PortAudio.

Modules: cli.py (the command and its checks), session.py (one spoken conversation),
devices.py (microphone, speaker, beeps, hands-free capture), wav.py (--input, --output).
"""
