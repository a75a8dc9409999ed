//! Start-up time and idle memory of the real binary: spawn `serve` on a fresh data directory,
//! time until `/healthz` answers, then read the idle resident set size from /proc. Median of
//! 10 starts. Targets: start-up < 100 ms, idle RSS < 60 MB. Run with `cargo bench --bench startup`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const STARTS: usize = 10;

fn main() {
    let mut startup = Vec::new();
    let mut rss_kb = Vec::new();
    for _ in 0..STARTS {
        let dir = tempfile::tempdir().expect("temp dir");
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_instainstru"))
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .current_dir(dir.path())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("server starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.split("listening on http://")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .map(str::to_string)
            })
            .expect("listening line");
        while !healthy(&addr) {
            std::thread::sleep(Duration::from_micros(200));
        }
        startup.push(started.elapsed());
        std::thread::spawn(move || lines.for_each(drop));
        std::thread::sleep(Duration::from_secs(1));
        rss_kb.push(rss_of(child.id()));
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let _ = child.wait();
    }
    startup.sort();
    rss_kb.sort();
    println!("startup bench: {STARTS} starts of `serve` on a fresh data dir (release build)");
    println!(
        "start-up to first /healthz 200: median {:?}, max {:?}",
        startup[STARTS / 2],
        startup[STARTS - 1]
    );
    println!(
        "idle RSS after 1 s: median {:.1} MB",
        rss_kb[STARTS / 2] as f64 / 1024.0
    );
}

fn healthy(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}

fn rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}
