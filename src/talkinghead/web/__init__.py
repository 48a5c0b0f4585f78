"""The web UI (``talkinghead serve``): a Gradio page over :func:`talkinghead.api.generate`."""
