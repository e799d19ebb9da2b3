"""Streamlit helpers shared by the pages: state, model loading, charts and pictures.

Only this package and app_pages/ import Streamlit; the logic they show lives in mnist_core.
"""
