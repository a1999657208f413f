//! Campaign benchmarks on a file database with the system clock, as the app runs them: creating and
//! starting a campaign for 100 000 contacts (the audience frozen into recipients), then sending it
//! with a zero-gap policy through the real scheduler and outbox loops to an in-process `Link` that
//! only counts, so each send's time is the engine's own overhead. RSS and its peak (counted from
//! the start of sending) are read at every 10 000th send to show whether memory stays flat. Beside
//! each wall-clock time the CPU time spent is printed (this thread's for create and start, the
//! process's for sending): on a shared machine the wall clock also counts the time other programs
//! had the cores. Prints figures; asserts nothing.
//!
//! ```text
//! cargo bench -p whatsflow-engine --bench campaigns [-- --recipients N]
//! ```

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::cpu_time;

use whatsflow_engine::campaigns::{CampaignInput, CampaignStatus, PacingPolicy, TargetType};
use whatsflow_engine::import::ImportOptions;
use whatsflow_engine::link::{ConnectionState, ConnectionStatus, Link, OutgoingMessage};
use whatsflow_engine::profile::{BusinessDetails, ProfileInput};
use whatsflow_engine::{Engine, Options, Result, SystemClock};

mod common;

/// A send reached the link: how many so far, when, and the process's memory then.
#[derive(Debug, Clone, Copy)]
struct Milestone {
    sends: usize,
    at: Duration,
    cpu: Duration,
    peak_rss_kib: u64,
    rss_kib: u64,
}

/// A connected WhatsApp that accepts every message and keeps nothing but a count (so its own memory
/// stays flat), noting a milestone every `every` sends.
struct CountingLink {
    sent: AtomicUsize,
    every: usize,
    started: Mutex<Option<Instant>>,
    milestones: Mutex<Vec<Milestone>>,
}

/// `VmHWM` (peak resident set) and `VmRSS` of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

impl Link for CountingLink {
    fn status(&self) -> ConnectionStatus {
        ConnectionStatus::new(ConnectionState::Connected)
    }
    fn connect(&self) -> Result<()> {
        Ok(())
    }
    fn disconnect(&self) -> Result<()> {
        Ok(())
    }
    fn request_pairing_code(&self, _: &str) -> Result<String> {
        Ok(String::new())
    }
    fn take_over(&self) -> Result<()> {
        Ok(())
    }
    fn check_number(&self, digits: &str) -> Result<Option<String>> {
        Ok(Some(format!("{digits}@c.us")))
    }
    fn send(&self, _: &OutgoingMessage) -> Result<i32> {
        let sends = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        if sends.is_multiple_of(self.every) {
            let started = self.started.lock().unwrap().unwrap_or_else(Instant::now);
            let (peak_rss_kib, rss_kib) = memory_kib();
            self.milestones.lock().unwrap().push(Milestone {
                sends,
                at: started.elapsed(),
                cpu: cpu_time("/proc/self/stat"),
                peak_rss_kib,
                rss_kib,
            });
        }
        Ok(1)
    }
    fn find_message(&self, _: &str) -> Result<Option<i32>> {
        Ok(None)
    }
    fn mark_read(&self, _: &str) -> Result<()> {
        Ok(())
    }
    fn set_typing(&self, _: &str, _: bool) -> Result<()> {
        Ok(())
    }
}

fn recipients_arg() -> usize {
    let mut args = std::env::args().skip(1);
    let mut recipients = 100_000;
    while let Some(arg) = args.next() {
        if arg == "--recipients" {
            recipients = args
                .next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .expect("--recipients N");
        }
    }
    recipients
}

/// `n` contacts with distinct Brazilian mobile numbers, imported as a shop would.
fn import_contacts(engine: &Engine, n: usize) {
    let mut csv = String::from("Name,Phone\n");
    for i in 0..n {
        csv.push_str(&format!(
            "Customer {i},+55 11 9{:04}-{:04}\n",
            i / 10_000,
            i % 10_000
        ));
    }
    let report = engine
        .import_contacts(csv.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(report.imported, n, "{report:?}");
}

fn main() {
    let recipients = recipients_arg();
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Options::new(dir.path(), Arc::new(SystemClock))).unwrap();
    engine
        .save_profile(ProfileInput {
            details: BusinessDetails {
                business_name: "Bench".into(),
                country: "BR".into(),
                timezone: "America/Sao_Paulo".into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
    import_contacts(&engine, recipients);

    let link = Arc::new(CountingLink {
        sent: AtomicUsize::new(0),
        every: (recipients / 10).max(1),
        started: Mutex::new(None),
        milestones: Mutex::new(Vec::new()),
    });
    engine.set_link(link.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let loops: Vec<_> = [Engine::run_outbox, Engine::run_campaigns]
        .into_iter()
        .map(|run: fn(&Engine, &AtomicBool)| {
            let (engine, stop) = (engine.clone(), stop.clone());
            std::thread::spawn(move || run(&engine, &stop))
        })
        .collect();

    let started = Instant::now();
    let cpu_before = cpu_time("/proc/thread-self/stat");
    let campaign = engine
        .create_campaign(CampaignInput {
            name: "Spring sale".into(),
            message_content: "{Hi|Hello} {{first_name|there}}, spring bouquets are in!".into(),
            target_type: Some(TargetType::All),
            pacing: Some(PacingPolicy::unpaced()),
            ..Default::default()
        })
        .unwrap();
    let created = (
        started.elapsed(),
        cpu_time("/proc/thread-self/stat") - cpu_before,
    );
    *link.started.lock().unwrap() = Some(Instant::now());
    // The import's peak is not the campaign's: start the peak count from here (Linux ≥ 4.0).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let sending = engine.send_campaign(campaign.id).unwrap();
    let started_in = (
        started.elapsed(),
        cpu_time("/proc/thread-self/stat") - cpu_before,
    );
    let send_cpu = cpu_time("/proc/self/stat");
    assert_eq!(sending.status, CampaignStatus::Sending);
    assert_eq!(sending.total_recipients, recipients as i64);
    println!("campaign of {recipients} recipients:");
    println!(
        "  create (checks, audience count):      wall {:>8.1?}  cpu {:>8.1?}",
        created.0, created.1
    );
    println!(
        "  create + start (recipients frozen):   wall {:>8.1?}  cpu {:>8.1?}",
        started_in.0, started_in.1
    );

    loop {
        std::thread::sleep(Duration::from_millis(200));
        let now = engine.campaign(campaign.id).unwrap();
        if now.status != CampaignStatus::Sending {
            assert_eq!(now.status, CampaignStatus::Completed, "{now:?}");
            assert_eq!(now.sent_count, recipients as i64);
            break;
        }
    }
    stop.store(true, Ordering::SeqCst);
    for handle in loops {
        handle.join().unwrap();
    }

    println!("sending, zero-gap policy, counting link (queue → outbox → link → ack → tracked):");
    println!(
        "  {:>8}  {:>10}  {:>14}  {:>14}  {:>12}  {:>10}",
        "sends", "elapsed", "wall per send", "cpu per send", "peak RSS", "RSS"
    );
    let mut previous = (0, Duration::ZERO, send_cpu);
    for m in link.milestones.lock().unwrap().iter() {
        let sends = (m.sends - previous.0) as u32;
        println!(
            "  {:>8}  {:>10.2?}  {:>14.3?}  {:>14.3?}  {:>8.1} MiB  {:>6.1} MiB",
            m.sends,
            m.at,
            (m.at - previous.1) / sends,
            m.cpu.saturating_sub(previous.2) / sends,
            m.peak_rss_kib as f64 / 1024.0,
            m.rss_kib as f64 / 1024.0
        );
        previous = (m.sends, m.at, m.cpu);
    }
    let milestones = link.milestones.lock().unwrap();
    if let (Some(first), Some(last)) = (milestones.first(), milestones.last()) {
        println!(
            "  mean per send over all {}: wall {:.3?}, cpu {:.3?}; peak RSS {} → {}: {:+.1} %",
            last.sends,
            last.at / last.sends as u32,
            last.cpu.saturating_sub(send_cpu) / last.sends as u32,
            first.sends,
            last.sends,
            (last.peak_rss_kib as f64 / first.peak_rss_kib as f64 - 1.0) * 100.0
        );
    }
}
