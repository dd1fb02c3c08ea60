"""Review mode and print for the HTML report: the stylesheet and the inline script that turn
the document's sections into full-width slides (one finding each, keyboard navigation), and
print it one slide per page with the charts intact.

Everything is inline (no file, font or script fetched), so the downloaded report presents
itself offline. Keys: Right / Down / PageDown / Space for the next slide, Left / Up / PageUp
for the previous one, Home / End for the first and last, Escape back to the document. When the
report sits in an iframe of the same origin (the app's review mode), the keys also work while
the focus is on the page around it, except in its text fields.

Printing (the browser's print, or Chromium's page.pdf()) puts each slide on its own landscape
A4 page; a slide taller than a page is zoomed down to fit (its zoom is measured when the
document is laid out and again before printing).
"""

from __future__ import annotations

# Printable height of an A4 landscape page with 10 mm margins (190 mm at 96 px per inch),
# a little under, so a slide that fits is never split.
PRINT_HEIGHT_PX = 700
PRINT_WIDTH_PX = 1040

SLIDES_CSS = """
.controls{display:none}
.present{float:right;margin-top:8px}
button{font:inherit;padding:4px 12px;border:1px solid #adb5bd;border-radius:6px;background:#fff;
cursor:pointer}
nav .absent-link{color:#6c757d}
body.review{max-width:none;padding:0;overflow:hidden}
body.review .slide{display:none;box-sizing:border-box;height:100vh;overflow:auto;
padding:20px 48px 64px}
body.review .slide.current{display:block}
body.review .slide[data-present="false"]{display:none}
body.review h2{margin-top:0}
body.review .present{display:none}
body.review .controls{display:flex;gap:8px;align-items:center;position:fixed;bottom:10px;
right:20px;background:#fff;padding:4px 8px;border:1px solid #dee2e6;border-radius:8px}
.counter{color:#6c757d;min-width:4em;text-align:center}
@page{size:A4 landscape;margin:10mm}
@media print{
body,body.review{max-width:none;padding:0;overflow:visible}
.controls,body.review .controls,.present,.modebar-container{display:none!important}
.slide,body.review .slide{display:block!important;height:auto;overflow:visible;padding:0;
zoom:var(--fit,1)}
.slide:not(:first-of-type){break-before:page}
.slide[data-present="false"],body.review .slide[data-present="false"]{display:none!important}
.figure{break-inside:avoid}
.js-plotly-plot,.plot-container,.svg-container{max-width:100%!important}
.warning,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
h2{margin-top:0}
}
"""

SLIDES_JS = """
(function () {
  var body = document.body, index = 0;
  var counter = document.querySelector('.counter');
  function slides() {
    return Array.prototype.slice.call(
      document.querySelectorAll('.slide:not([data-present="false"])'));
  }
  function resizePlots(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll('.js-plotly-plot').forEach(function (plot) {
      try { window.Plotly.Plots.resize(plot); } catch (err) { /* a plot not drawn yet */ }
    });
  }
  function show(n) {
    var all = slides();
    index = Math.max(0, Math.min(n, all.length - 1));
    all.forEach(function (slide, k) { slide.classList.toggle('current', k === index); });
    counter.textContent = (index + 1) + ' / ' + all.length;
    body.setAttribute('data-slide', String(index + 1));
    resizePlots(all[index]);
  }
  function fit() {
    var was = body.classList.contains('review');
    body.classList.remove('review');
    slides().forEach(function (slide) {
      var scale = Math.min(1, PRINT_HEIGHT / Math.max(slide.scrollHeight, 1),
                           PRINT_WIDTH / Math.max(slide.scrollWidth, 1));
      slide.style.setProperty('--fit', scale.toFixed(3));
    });
    if (was) { body.classList.add('review'); show(index); }
  }
  function present(on) {
    body.classList.toggle('review', on);
    if (on) { show(index); window.focus(); } else { resizePlots(document); }
  }
  function onKey(event) {
    if (!body.classList.contains('review')) { return; }
    var target = event.target, tag = target && target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' ||
        (target && target.isContentEditable)) { return; }
    var key = event.key;
    if (['ArrowRight', 'ArrowDown', 'PageDown', ' '].indexOf(key) >= 0) { show(index + 1); }
    else if (['ArrowLeft', 'ArrowUp', 'PageUp'].indexOf(key) >= 0) { show(index - 1); }
    else if (key === 'Home') { show(0); }
    else if (key === 'End') { show(slides().length - 1); }
    else if (key === 'Escape') { present(false); return; }
    else { return; }
    event.preventDefault();
  }
  document.addEventListener('keydown', onKey);
  var outer = null;
  try {
    if (window.parent !== window && window.parent.document) { outer = window.parent.document; }
  } catch (err) { outer = null; }  // another origin: keys work once the report has focus
  if (outer) {
    outer.addEventListener('keydown', onKey);
    window.addEventListener('pagehide', function () {
      outer.removeEventListener('keydown', onKey);
    });
  }
  document.querySelector('.present').addEventListener('click', function () { present(true); });
  document.querySelector('.prev').addEventListener('click', function () { show(index - 1); });
  document.querySelector('.next').addEventListener('click', function () { show(index + 1); });
  document.querySelector('.leave').addEventListener('click', function () { present(false); });
  window.addEventListener('beforeprint', fit);
  window.addEventListener('load', function () {
    fit();
    if (body.getAttribute('data-start') === 'review') { present(true); }
  });
})();
""".replace("PRINT_HEIGHT", str(PRINT_HEIGHT_PX)).replace("PRINT_WIDTH", str(PRINT_WIDTH_PX))

CONTROLS_HTML = ('<div class="controls" role="toolbar" aria-label="Slides">'
                 '<button type="button" class="prev" aria-label="Previous slide">&larr;</button>'
                 '<span class="counter" aria-live="polite"></span>'
                 '<button type="button" class="next" aria-label="Next slide">&rarr;</button>'
                 '<button type="button" class="leave">Document</button></div>')
BODY = "<body>"  # render_html opens its body with exactly this tag (as_slides relies on it)
PRESENT_BUTTON = '<button type="button" class="present">Present as slides</button>'


def as_slides(html: str) -> str:
    """The report (render_html's document) set to open as slides: review mode.

    Examples
    --------
    >>> as_slides("<html><head></head><body><p>x</p></body></html>")
    '<html><head></head><body data-start="review"><p>x</p></body></html>'
    """
    if BODY not in html:
        raise ValueError("not a report rendered by render_html: it has no plain <body> tag.")
    return html.replace(BODY, '<body data-start="review">', 1)
