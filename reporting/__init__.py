"""The project-review report: a workspace's story read through the access gate, as typed
sections, rendered to a self-contained HTML file and a Markdown summary.

`sections` (one frozen dataclass per section), `registry` (the sections in reading order; a
new section registers its builder there), `builders` (one function per section, each calling
its page's analysis), `story` (collect_story), `to_html` and `to_markdown`. Figures are drawn by
charts.report and handed to render_html already built. No Streamlit here.
"""

from reporting.registry import REGISTRY, section_keys
from reporting.sections import ProjectStory, Section
from reporting.slides import as_slides
from reporting.story import collect_story
from reporting.to_html import render_html
from reporting.to_markdown import render_markdown

__all__ = ["REGISTRY", "ProjectStory", "Section", "as_slides", "collect_story", "render_html",
           "render_markdown", "section_keys"]
