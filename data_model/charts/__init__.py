"""Chart builders: pure functions from data frames to plotly figures (no Streamlit here).

One module per page, shared colours and layout in `common`.
"""
