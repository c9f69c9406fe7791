"""Domain logic of the 两个健康 performance dashboard: no Streamlit import here."""
