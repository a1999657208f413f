//! Memory benchmark: the managed Chromium's PSS while connected and idle, the link's browser (the
//! headless shell where installed) with its flags versus Chromium with its own defaults, on the
//! same simulated WhatsApp Web page.
//!
//! `cargo run -p whatsflow-whatsapp --example bench_link [-- --idle-secs 20]` (Linux: reads
//! `/proc/<pid>/smaps_rollup` of every process in the browser's tree).

use std::time::Duration;

use chromiumoxide::{Browser, BrowserConfig};
use common::{arg, connected, post, proc_kib, process_tree, runtime, wait_for, Res};
use futures::StreamExt;
use serde_json::json;
use whatsflow_whatsapp::{find_chromium, find_headless_browser};

mod common;

fn main() -> Res<()> {
    let idle = Duration::from_secs(arg("--idle-secs").unwrap_or(15));
    let chromium = find_chromium()?;
    let link_browser = find_headless_browser()?;
    let runtime = runtime()?;

    // 1. The link, with its browser and flags.
    let linked = connected(&runtime, link_browser.clone())?;
    std::thread::sleep(idle);
    let pid = linked.link.browser_pid().ok_or("no browser pid")?;
    let ours = tree_pss(pid);
    linked.link.stop()?;
    drop(linked);

    // 2. Chromium's defaults: only what running headless here requires.
    let sim = wa_sim::Simulator::start(0)?;
    let profile = tempfile::tempdir()?;
    let url = sim.url();
    let baseline = runtime.block_on(async {
        let mut builder = BrowserConfig::builder()
            .chrome_executable(&chromium)
            .user_data_dir(profile.path())
            .disable_default_args()
            .new_headless_mode();
        if is_root() {
            builder = builder.no_sandbox();
        }
        let (mut browser, mut handler) = Browser::launch(builder.build()?).await?;
        let driver = tokio::spawn(async move { while handler.next().await.is_some() {} });
        let page = browser.new_page(url.as_str()).await?;
        let _ = &page;
        let pid = browser
            .get_mut_child()
            .and_then(|c| c.as_mut_inner().id())
            .ok_or("no pid")?;
        Ok::<_, Box<dyn std::error::Error>>((browser, driver, pid))
    });
    let (mut browser, driver, pid) = baseline?;
    // The default page links like the first: a QR, then the phone scans it.
    wait_for(
        || state(&sim.url()).as_deref() == Some("UNPAIRED"),
        "the default browser's QR",
    )?;
    post(&sim.url(), "scan", json!({}))?;
    wait_for(
        || state(&sim.url()).as_deref() == Some("CONNECTED"),
        "the default browser connected",
    )?;
    std::thread::sleep(idle);
    let theirs = tree_pss(pid);
    runtime.block_on(async {
        let _ = browser.close().await;
        let _ = browser.wait().await;
        driver.abort();
    });

    println!(
        "the link's browser {}, Chromium {} — connected, idle {} s",
        link_browser.display(),
        chromium.display(),
        idle.as_secs()
    );
    report("WhatsFlow flags", &ours);
    report("Chromium defaults", &theirs);
    let (a, b) = (total(&ours), total(&theirs));
    println!(
        "saving: {} MiB ({:.0} %)",
        (b - a) / 1024,
        100.0 * (b - a) as f64 / b.max(1) as f64
    );
    Ok(())
}

fn report(label: &str, tree: &[(u32, String, u64)]) {
    println!(
        "{label}: {} processes, {} MiB PSS",
        tree.len(),
        total(tree) / 1024
    );
    for (pid, kind, kib) in tree {
        println!("    {pid:>7} {kind:<34} {:>6} MiB", kib / 1024);
    }
}

fn total(tree: &[(u32, String, u64)]) -> i64 {
    tree.iter().map(|(_, _, kib)| *kib as i64).sum()
}

/// Every process descended from `root` (itself included): pid, Chromium's `--type`, PSS in KiB.
fn tree_pss(root: u32) -> Vec<(u32, String, u64)> {
    process_tree(root)
        .into_iter()
        .map(|(pid, kind)| (pid, kind, proc_kib(pid, "smaps_rollup", "Pss:")))
        .collect()
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

fn state(base: &str) -> Option<String> {
    let mut response = ureq::get(&format!("{base}control/state")).call().ok()?;
    let value: serde_json::Value = response.body_mut().read_json().ok()?;
    value["state"].as_str().map(str::to_owned)
}
