//! `wa-sim [--port N]`: runs the WhatsApp Web simulator alone until SIGTERM or Ctrl-C.

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut port: u16 = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().map(|value| value.parse::<u16>()) {
                Some(Ok(value)) => port = value,
                _ => return usage("--port needs a port number from 0 to 65535"),
            },
            "-h" | "--help" => {
                println!("wa-sim [--port N]   the WhatsApp Web simulator (0 picks a free port)");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }

    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    if let Err(error) = ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    }) {
        eprintln!("wa-sim: cannot handle Ctrl-C / SIGTERM: {error}");
        return ExitCode::FAILURE;
    }
    let simulator = match wa_sim::Simulator::start(port) {
        Ok(simulator) => simulator,
        Err(error) => {
            eprintln!("wa-sim: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("wa-sim listening on http://127.0.0.1:{}", simulator.port());
    let _ = std::io::stdout().flush();
    let _ = stop_rx.recv();
    simulator.shutdown();
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("wa-sim: {problem}\nusage: wa-sim [--port N]");
    ExitCode::from(2)
}
