"""The page registry, defined once: app.py builds st.navigation from it, the home page its
cards, pages their links to each other, and the tests their lists of pages and URLs.

A new page is one PageSpec here plus its file in views/.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class PageSpec:
    """One page: its file, its name in the sidebar, its URL path and its sidebar section.

    `question` is what the page answers, shown on the home page's card (pages without one,
    like Home itself, get no card).
    """

    path: str
    title: str
    icon: str
    url_path: str
    section: str
    question: str = ""

    @property
    def is_home(self) -> bool:
        """The default page, served at the app's root URL."""
        return self.url_path == ""

    def page(self) -> st.Page:
        """The st.Page that st.navigation runs."""
        if self.is_home:
            return st.Page(self.path, title=self.title, icon=self.icon, default=True)
        return st.Page(self.path, title=self.title, icon=self.icon, url_path=self.url_path)

    def link(self, label: str | None = None) -> None:
        """A link to this page (its title unless `label` is given), with its icon."""
        st.page_link(self.path, label=label or self.title, icon=self.icon)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/home.py", "Home", ":material/home:", "", "Start"),
    PageSpec("views/workspaces.py", "Workspaces", ":material/folder_shared:", "workspaces",
             "Start"),
    PageSpec("views/waterfall.py", "Bias & variance", ":material/waterfall_chart:", "waterfall",
             "Diagnose",
             "Where does the error come from: avoidable bias, variance, data mismatch or "
             "overfitting to dev? What should we try next?"),
    PageSpec("views/metrics.py", "Metrics", ":material/speed:", "metrics", "Diagnose",
             "Precision, recall, F1 and the threshold; which model wins under our constraints; "
             "is model A really better than B?"),
    PageSpec("views/error_analysis.py", "Error analysis", ":material/fact_check:",
             "error-analysis", "Diagnose",
             "Which category of mistakes is worth fixing first, and are bad labels worth "
             "cleaning?"),
    PageSpec("views/error_slices.py", "Error slices", ":material/troubleshoot:", "error-slices",
             "Diagnose",
             "Where do errors concentrate in our metadata, beyond chance, before anyone ticks a "
             "box?"),
    PageSpec("views/split_planner.py", "Split planner", ":material/call_split:", "split-planner",
             "Plan and learn",
             "How should train / train-dev / dev / test be composed, and how big must dev be?"),
    PageSpec("views/training_lab.py", "Training lab", ":material/model_training:",
             "training-lab", "Plan and learn",
             "Why does He initialisation, Adam, L2, dropout or batch norm help? Watch a network "
             "train."),
    PageSpec("views/strategy.py", "Project strategy", ":material/flag:", "strategy",
             "Plan and learn",
             "What is our goal, which knob did each step turn and what did it do, will more "
             "data help, and should we transfer, share tasks or go end-to-end?"),
    PageSpec("views/report.py", "Project report", ":material/summarize:", "report", "Share",
             "One self-contained file with the whole story, for the project review."),
)


def page_spec(path: str) -> PageSpec:
    """The registered page whose file is `path` (e.g. "views/error_analysis.py")."""
    found = next((spec for spec in PAGES if spec.path == path), None)
    if found is None:
        raise KeyError(f"{path!r} is not a registered page: add a PageSpec to components/pages.py.")
    return found


def navigation() -> dict[str, list[st.Page]]:
    """The sidebar's sections and their pages, in registry order, for st.navigation."""
    sections: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        sections.setdefault(spec.section, []).append(spec.page())
    return sections
