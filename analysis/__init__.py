"""The shared analysis package of the ML Strategy Workbench.

Plain numpy/pandas: no Streamlit import anywhere below this folder (enforced by ruff TID251).
Every public function validates its input and raises ValueError with a message a user can act on.
"""
