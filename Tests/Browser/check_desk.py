"""Uses the officer's page of a running `finrec serve` in Debian's headless chromium (chromedriver
and selenium), as an officer would, and prints one JSON object of what it saw; the Swift test
(DeskPageTests) asserts on it.

  form        fields on the form, whether any script or inline style is on the page
  result      after filling the form with APPLICANT.json and submitting: the URL, the title, the
              list headings, each offer row (id, status, name, the cost column's text), the 补充资料
              items, the English switch's target
  print       with print media emulated: whether the header bar and the actions are hidden
  mistyped    after submitting a revenue written in words: the error shown and the values kept
  upload      after uploading CSV: the number of applicants shown
  english     the form in English: its title and a label
  console     severe browser messages (CSP violations, errors)
  screenshots paths of full-page PNGs: form, result, print, english

usage: check_desk.py URL APPLICANT.json UPLOAD.csv SHOTS_FOLDER
Run by the Swift tests with the .venv that `bash .ci/setup --tests` makes."""
import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

url, applicant_path, upload_path, shots = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
applicant = json.load(open(applicant_path, encoding="utf-8"))

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900", "--hide-scrollbars"):
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
report = {"screenshots": {}}


def full_page(name):
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, min(max(height, 600), 12000))
    path = os.path.join(shots, name + ".png")
    driver.save_screenshot(path)
    driver.set_window_size(1400, 900)
    report["screenshots"][name] = path


try:
    driver.get(url + "/")
    fields = driver.find_elements(By.CSS_SELECTOR, "#applicant-form input[name], #applicant-form select[name]")
    report["form"] = {
        "title": driver.title,
        "fields": len([f for f in fields if f.get_attribute("type") != "hidden"]),
        "scripts": len(driver.find_elements(By.TAG_NAME, "script")),
        "inline_styles": len(driver.find_elements(By.CSS_SELECTOR, "[style]")),
        "stylesheet_applied": driver.execute_script("return getComputedStyle(document.querySelector('.bar')).backgroundColor"),
    }
    full_page("form")

    # Fill in the applicant as an officer would: selects by value, text by typing.
    filled = 0
    for name, value in applicant.items():
        found = driver.find_elements(By.ID, "f-" + name)
        if not found or value is None:
            continue
        element = found[0]
        text = str(int(value)) if isinstance(value, float) and value.is_integer() and name != "niche_market_share" else str(value)
        if element.tag_name == "select":
            Select(element).select_by_value(text)
        elif element.get_attribute("type") == "date":
            driver.execute_script("arguments[0].value = arguments[1]", element, text)
        else:
            element.clear()
            element.send_keys(text)
        filled += 1
    report["form"]["filled"] = filled
    driver.find_element(By.ID, "score-submit").click()
    WebDriverWait(driver, 30).until(lambda d: "/decisions/" in d.current_url)

    rows = driver.find_elements(By.CSS_SELECTOR, "tr.offer")
    report["result"] = {
        "url": driver.current_url,
        "title": driver.title,
        "lists": [h.text for h in driver.find_elements(By.CSS_SELECTOR, "section.list h2")],
        "offers": [{"id": r.get_attribute("id").removeprefix("offer-"),
                    "status": r.find_element(By.CSS_SELECTOR, ".badge").get_attribute("class").split()[-1],
                    "badge": r.find_element(By.CSS_SELECTOR, ".badge").text,
                    "name": r.find_element(By.CSS_SELECTOR, "strong").text,
                    "cost": r.find_elements(By.CSS_SELECTOR, "td")[5].text,
                    "text": r.text} for r in rows],
        "supplements": [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#supplements li")],
        "download": driver.find_element(By.ID, "download-xlsx").get_attribute("href"),
        "switch": driver.find_element(By.ID, "switch-language").get_attribute("href"),
        "enterprise": driver.find_element(By.CSS_SELECTOR, "article.enterprise h1").text,
    }
    full_page("result")

    # Print: the same page under print media.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    report["print"] = {
        "bar_hidden": driver.execute_script("return getComputedStyle(document.querySelector('.bar')).display") == "none",
        "actions_hidden": driver.execute_script("return getComputedStyle(document.querySelector('.actions')).display") == "none",
    }
    full_page("print")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # A value the officer mistyped: the form comes back with the message and what was entered.
    driver.get(url + "/")
    driver.find_element(By.ID, "f-enterprise_id").send_keys(applicant.get("enterprise_id", ""))
    driver.find_element(By.ID, "f-revenue_y1").send_keys("很多")
    driver.find_element(By.ID, "score-submit").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "error"))
    report["mistyped"] = {"error": driver.find_element(By.ID, "error").text,
                          "kept": driver.find_element(By.ID, "f-revenue_y1").get_attribute("value"),
                          "kept_id": driver.find_element(By.ID, "f-enterprise_id").get_attribute("value")}
    full_page("mistyped")

    # Upload a CSV through the file input.
    driver.get(url + "/")
    driver.find_element(By.ID, "file").send_keys(os.path.abspath(upload_path))
    driver.find_element(By.ID, "upload-submit").click()
    WebDriverWait(driver, 30).until(lambda d: "/decisions/" in d.current_url)
    report["upload"] = {"url": driver.current_url, "applicants": len(driver.find_elements(By.CSS_SELECTOR, "article.enterprise"))}

    # The English page.
    driver.get(url + "/")
    driver.find_element(By.ID, "switch-language").click()
    report["english"] = {"title": driver.title, "upload_button": driver.find_element(By.ID, "upload-submit").text,
                         "html_lang": driver.find_element(By.TAG_NAME, "html").get_attribute("lang")}
    full_page("english")

    report["console"] = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
finally:
    driver.quit()
print(json.dumps(report, ensure_ascii=False))
