"""Pure normalisers that turn raw spreadsheet cells into canonical values.

Every function here is free of Streamlit and of the database. Bad input raises
`data_model.errors.InputError` and nothing else; misuse by calling code (for
example a non-canonical period passed to period arithmetic) raises `ValueError`.
"""
