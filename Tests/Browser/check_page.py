"""Opens an HTML file in Debian's headless chromium (through chromedriver and selenium), checks
what a person would see, saves a full-page screenshot and prints one JSON object:

  title            the document's title
  charts           per inline SVG chart (svg.chart): id, its rendered width and height, the
                   number of series it declares (data-series) and how many of them drew
                   something visible (a polyline with 2+ points, a group with bars of positive size)
  resources        URLs the page requested (a self-contained page requests none)
  console          severe browser console messages (CSP violations, errors)
  screenshot       {path, width, height, colours: distinct colours in a 1/4 sample,
                    ink: share of non-white pixels}

usage: check_page.py PAGE.html SCREENSHOT.png [WIDTH]
Run by the Swift tests with the .venv that `bash .ci/setup --tests` makes."""
import json
import os
import sys

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

page, shot = os.path.abspath(sys.argv[1]), sys.argv[2]
width = int(sys.argv[3]) if len(sys.argv) > 3 else 1280

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},900", "--hide-scrollbars"):
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get("file://" + page)
    charts = driver.execute_script("""
        return Array.from(document.querySelectorAll('svg.chart')).map(svg => {
          const box = svg.getBoundingClientRect();
          const drawn = Array.from(svg.querySelectorAll('.series')).filter(s => {
            if (s.tagName === 'polyline') return s.getAttribute('points').trim().split(/\\s+/).length >= 2 && s.getBBox().width + s.getBBox().height > 0;
            return Array.from(s.querySelectorAll('rect')).some(r => r.getBBox().width > 0 && r.getBBox().height > 0);
          }).length;
          return {id: svg.id, width: box.width, height: box.height, series: Number(svg.dataset.series), drawn: drawn};
        });""")
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name);")
    console = [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight);")
    driver.set_window_size(width, min(height + 40, 30000))
    driver.save_screenshot(shot)
    title = driver.title
finally:
    driver.quit()

image = Image.open(shot).convert("RGB")
small = image.resize((max(1, image.width // 4), max(1, image.height // 4)))
raw = small.tobytes()
pixels = [raw[i:i + 3] for i in range(0, len(raw), 3)]
ink = sum(1 for p in pixels if min(p) < 235) / max(len(pixels), 1)
print(json.dumps({"title": title, "charts": charts, "resources": resources, "console": console,
                  "screenshot": {"path": shot, "width": image.width, "height": image.height,
                                 "colours": len(set(pixels)), "ink": ink}}))
