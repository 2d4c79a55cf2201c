"""The terminal front-end: `spasm-guide chat` (a conversation) and `ask` (one question).

    terminal.py  the commands, and the conversation every local front-end opens
                 (the offline voice mode opens its conversation here too)
"""
