"""Serving: the FastAPI answer API and the Gradio chat UI on one port (`create_app` in `app.py`)."""
