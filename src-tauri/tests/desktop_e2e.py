"""The desktop app end to end, in its real window (WebKitGTK) driven over WebDriver by tauri-driver.

Run by scripts/desktop-e2e.sh, which provides the X display (Xvfb), a private D-Bus session (the
single-instance hand-over travels on it), a tray host and this Python's selenium. Usage:
    desktop_e2e.py APP_BINARY

Steps: start in demo mode on a fresh data directory; onboarding; link WhatsApp with the simulated
phone; a customer's message arrives live; close the window to the tray (the first close explains the
tray once; the window's WebKit web process must be gone while the app and Chromium keep running); the
tray's Open brings the window back and a second close goes straight to the tray; a second start of
the app hands over to the running one, which opens its window again; the tray's Quit leaves no
Chromium running and the WhatsApp session sealed. Then, on a data directory of its own: "Restore"
in Settings restarts the app by itself, and the restarted app has applied the restore.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import Xlib.display
import Xlib.protocol.event
import Xlib.X
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

# Guards against a step that never happens, not measurements: each is far above what a step takes.
START_LIMIT = 60
LINK_LIMIT = 60
STEP_LIMIT = 30

passed = []


def check(name, ok, detail=""):
    if not ok:
        raise AssertionError(f"{name}: {detail}")
    passed.append(name)
    print(f"desktop-e2e: ok - {name}", flush=True)


def wait_until(what, condition, limit=STEP_LIMIT):
    """Polls `condition` until it returns something truthy; fails naming `what` after `limit` s."""
    deadline = time.monotonic() + limit
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.25)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes():
    """Every process as (pid, ppid, command name, command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        # The name sits in parentheses and may itself hold spaces or parentheses.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        found.append((int(entry), ppid, name, cmdline))
    return found


def descendants(root):
    table = processes()
    family, frontier = [], {root}
    while frontier:
        children = [p for p in table if p[1] in frontier]
        family.extend(children)
        frontier = {p[0] for p in children}
    return family


def web_processes(app_pid):
    return [p for p in descendants(app_pid) if p[2].startswith("WebKitWebProces")]


def chromium_processes(data_dir):
    # Chromium runs on its profile inside the data directory, whoever its parent is.
    return [p for p in processes() if "chrom" in p[2].lower() and data_dir in p[3]]


def app_process(binary, data_dir):
    for pid, _, _, cmdline in processes():
        if cmdline.startswith(binary) and data_dir in cmdline:
            return pid
    return None


def post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def by_text(tag, text):
    return (By.XPATH, f"//{tag}[normalize-space()={json.dumps(text)}]")


def field(driver, label):
    """The input a <label> names."""
    return driver.find_element(By.ID, driver.find_element(*by_text("label", label)).get_attribute("for"))


def session(binary, data_dir, *args):
    """A WebDriver session that starts the app on `data_dir`."""
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability(
        "tauri:options", {"application": binary, "args": [*args, "--data-dir", data_dir]}
    )
    return options


def onboard(driver, wait):
    """Onboarding: the business profile, then no passcode; ends in the inbox."""
    wait.until(EC.visibility_of_element_located(by_text("h1", "Welcome! Tell us about your business")))
    field(driver, "Business name").send_keys("Corner Bakery")
    driver.find_element(*by_text("button", "Continue")).click()
    wait.until(EC.element_to_be_clickable(by_text("button", "Skip for now"))).click()
    wait.until(EC.visibility_of_element_located(by_text("h1", "Inbox")))


def main():
    binary = os.path.realpath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="whatsflow-e2e-")
    data_dir = os.path.join(work, "data")
    driver_port = free_port()
    tauri_driver = subprocess.Popen(
        [
            os.environ.get("TAURI_DRIVER") or shutil.which("tauri-driver"),
            "--port",
            str(driver_port),
            "--native-driver",
            "/usr/bin/WebKitWebDriver",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(work, "tauri-driver.log"), "w"),
    )
    driver = None
    app_pid = None
    try:
        wait_until("tauri-driver to listen", lambda: _listening(driver_port), START_LIMIT)
        driver = webdriver.Remote(
            f"http://127.0.0.1:{driver_port}", options=session(binary, data_dir, "--demo")
        )
        wait = WebDriverWait(driver, START_LIMIT)
        app_pid = wait_until("the app's process", lambda: app_process(binary, data_dir))
        onboard(driver, wait)
        check("onboarding reaches the inbox", True)

        # Link WhatsApp as a demo user does: the simulated phone scans the QR code.
        WebDriverWait(driver, LINK_LIMIT).until(
            EC.element_to_be_clickable(by_text("button", "Scan the QR code"))
        ).click()
        status = (By.CSS_SELECTOR, "[data-testid='connection-status']")
        WebDriverWait(driver, LINK_LIMIT).until(EC.text_to_be_present_in_element(status, "WhatsApp connected"))
        check("linked with the simulated phone", True)

        # A customer writes: the chat appears live with one unread message.
        with open(os.path.join(data_dir, "demo-simulator.port")) as f:
            simulator = f"http://127.0.0.1:{f.read().strip()}"
        post(f"{simulator}/control/inbound", {"from": "+14155550110", "pushName": "Ana Customer", "body": "Do you deliver on Sundays?"})
        row = (By.XPATH, "//*[@data-testid='chat-row'][contains(., 'Ana Customer')]")
        wait.until(EC.visibility_of_element_located(row))
        badge = driver.find_element(*row).find_element(By.CSS_SELECTOR, "[data-testid='unread-badge']")
        check("a customer's message arrives live", badge.text == "1", f"unread badge {badge.text!r}")

        # Close to the tray, as the window's close button does. The first time, the UI says WhatsFlow
        # stays in the tray; its button closes the window for real.
        check("the window has a web process", len(web_processes(app_pid)) >= 1, str(descendants(app_pid)))
        close_window()
        notice = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "[data-testid='close-to-tray-notice']")))
        check("the first close explains the tray", "keeps running" in driver.page_source)
        driver.find_element(*by_text("button", "OK, close the window")).click()
        wait_until("the window's web process to end", lambda: not web_processes(app_pid))
        check("closed to the tray: no WebKit web process left", True)
        check("the app keeps running in the tray", app_process(binary, data_dir) == app_pid)
        check("WhatsApp keeps running (Chromium)", len(chromium_processes(data_dir)) > 0)
        del notice

        # The tray's "Open" brings the window back (a new web process); closing it again needs no
        # notice (it was shown once) and destroys it again.
        tray_menu("Open")
        wait_until("the window's web process after Open", lambda: web_processes(app_pid))
        wait_until("the reopened window to paint", painted)
        check("the tray's Open recreates the window", True)
        close_window()
        wait_until("the web process to end after the second close", lambda: not web_processes(app_pid))
        check("a second close goes straight to the tray", True)

        # A second start hands over to the running app, which opens its window again.
        second = subprocess.run(
            [binary, "--demo", "--data-dir", data_dir],
            capture_output=True,
            timeout=START_LIMIT,
        )
        check("a second start exits at once", second.returncode == 0, second.stderr.decode(errors="replace"))
        wait_until("the reopened window's web process", lambda: web_processes(app_pid))
        wait_until("the reopened window to paint", painted)
        check("a second start reopens the running app's window", app_process(binary, data_dir) == app_pid)

        # Quit from the tray's menu: the session is sealed and Chromium stopped.
        tray_menu("Quit")
        wait_until("the app to end", lambda: app_process(binary, data_dir) is None, START_LIMIT)
        check("quit ends the app", True)
        wait_until("Chromium to end", lambda: not chromium_processes(data_dir))
        check("no Chromium left running", True)
        profile = os.path.join(data_dir, "whatsapp-profile", "Default", "IndexedDB")
        check("the WhatsApp session is sealed (no plaintext profile left)", not os.path.exists(profile))
        driver.quit()
        driver = None

        # Restore: the app restarts by itself and the restore is applied (the data it replaced is kept
        # as a backup). A data directory of its own, not linked: nothing here needs WhatsApp.
        data_dir = os.path.join(work, "restore")
        driver = webdriver.Remote(f"http://127.0.0.1:{driver_port}", options=session(binary, data_dir))
        wait = WebDriverWait(driver, START_LIMIT)
        app_pid = wait_until("the app's process", lambda: app_process(binary, data_dir))
        onboard(driver, wait)
        driver.execute_script("location.hash = '#/settings/data'")
        wait.until(EC.element_to_be_clickable(by_text("button", "Back up now"))).click()
        wait.until(EC.element_to_be_clickable((By.XPATH, "//button[contains(., 'Restore…')]"))).click()
        wait.until(EC.element_to_be_clickable((By.XPATH, "//dialog//button[normalize-space()='Restore']"))).click()
        wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), "WhatsFlow restarts now"))
        check("a staged restore says the app restarts now", True)
        restarted = wait_until(
            "the restarted app",
            lambda: (lambda pid: pid if pid not in (None, app_pid) else None)(app_process(binary, data_dir)),
            START_LIMIT,
        )
        app_pid = restarted
        wait_until("the restarted window to paint", painted, START_LIMIT)
        kept = [name for name in os.listdir(os.path.join(data_dir, "backups")) if "before-restore" in name]
        check("the app restarted and applied the restore", len(kept) == 1, str(os.listdir(os.path.join(data_dir, "backups"))))
        os.kill(app_pid, signal.SIGTERM)
        wait_until("the restarted app to end", lambda: app_process(binary, data_dir) is None, START_LIMIT)
    finally:
        if driver is not None:
            try:
                driver.quit()
            except WebDriverException:
                pass
        if app_pid is not None and app_process(binary, data_dir):
            os.kill(app_pid, signal.SIGKILL)
        tauri_driver.terminate()
        tauri_driver.wait()
        if sys.exc_info()[0] is not None:
            with open(os.path.join(work, "tauri-driver.log"), errors="replace") as f:
                print("--- tauri-driver and app output ---\n" + f.read()[-6000:], flush=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"desktop-e2e: {len(passed)} passed, 0 failed", flush=True)


def _listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def xdotool(*args):
    return subprocess.run(["xdotool", *args], check=True, capture_output=True, text=True).stdout


def tray_menu(item):
    """Clicks the tray icon (docked in the tray host) and picks `item` of its menu with the keyboard:
    "Open" is the first item, "Quit" the last."""
    # No window manager keeps the tray above the window: raise it, as a panel would be.
    for panel in xdotool("search", "--class", "trayer").split():
        xdotool("windowraise", panel)
    icon = xdotool("search", "--onlyvisible", "--class", "tray-icon tray app").split()[-1]
    geometry = dict(
        line.split("=") for line in xdotool("getwindowgeometry", "--shell", icon).split()
    )
    x = int(geometry["X"]) + int(geometry["WIDTH"]) // 2
    y = int(geometry["Y"]) + int(geometry["HEIGHT"]) // 2
    xdotool("mousemove", str(x), str(y), "click", "1")
    # The menu is a popup window of the app; wait for it before typing into it.
    try:
        wait_until("the tray menu", _menu_open, 10)
    except AssertionError:
        tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout
        raise AssertionError(f"no tray menu after a click at {x},{y} on window {icon}:\n{tree}")
    xdotool("key", {"Open": "Down", "Quit": "Up"}[item])
    xdotool("key", "Return")
    wait_until("the tray menu to close", lambda: not _menu_open())


def _menu_open():
    """Whether the tray's menu is up: a visible popup window of the app, named after its program file
    (the main window is named "WhatsFlow…"), bigger than GTK's little helper windows."""
    program = os.path.basename(sys.argv[1])
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", f"^{program}$"], capture_output=True, text=True
    ).stdout.split()
    for window in found:
        geometry = dict(line.split("=") for line in xdotool("getwindowgeometry", "--shell", window).split())
        if int(geometry["WIDTH"]) > 50:
            return True
    return False


def close_window():
    """Clicks the window's close button, as far as the app can tell: there is no window manager under
    Xvfb, so this sends what one sends then, WM_DELETE_WINDOW."""
    x = Xlib.display.Display()
    window = x.create_resource_object("window", main_window())
    delete = Xlib.protocol.event.ClientMessage(
        window=window,
        client_type=x.intern_atom("WM_PROTOCOLS"),
        data=(32, [x.intern_atom("WM_DELETE_WINDOW"), Xlib.X.CurrentTime, 0, 0, 0]),
    )
    window.send_event(delete, event_mask=Xlib.X.NoEventMask)
    x.flush()
    x.close()


def main_window():
    """The main window's X id, while it is shown."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "^WhatsFlow"], capture_output=True, text=True
    ).stdout.split()
    return int(found[0]) if found else None


def painted():
    """Whether the main window is shown and painted (more than a few colours), not blank."""
    window = main_window()
    if window is None:
        return False
    shot = subprocess.run(["import", "-window", str(window), "png:-"], capture_output=True).stdout
    if not shot:
        return False
    colours = subprocess.run(
        ["convert", "png:-", "-format", "%k", "info:"], input=shot, capture_output=True
    ).stdout
    return int(colours or b"0") > 16


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"desktop-e2e: FAILED - {e}", flush=True)
        print(f"desktop-e2e: {len(passed)} passed, 1 failed", flush=True)
        sys.exit(1)
