//! The real binary as a child process, for what only a process shows: signals, kill -9,
//! the data-directory lock, the CLI.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_instainstru");

pub struct Server {
    pub child: Child,
    pub url: String,
    /// Everything the server logged (stderr), line by line.
    log: mpsc::Receiver<String>,
    seen: Vec<String>,
}

/// A `Command` for the binary with a clean environment for our config keys.
pub fn command(data_dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(data_dir);
    // Run from the data dir so no ./config.toml from the repository is picked up.
    cmd.current_dir(data_dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("INSTAINSTRU__") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "info");
    cmd
}

pub fn run(data_dir: &Path, args: &[&str]) -> Output {
    command(data_dir).args(args).output().expect("binary runs")
}

/// Starts `serve` on a free port and waits for its "listening on" line.
#[allow(clippy::zombie_processes)] // the returned Server waits for the child when dropped
pub fn start(data_dir: &Path, env: &[(&str, &str)]) -> Server {
    let mut cmd = command(data_dir);
    cmd.args(["serve", "--bind", "127.0.0.1:0"])
        .envs(env.iter().copied());
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            // Keep draining after start-up so the server never blocks on a full pipe.
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let url = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .trim_matches('"')
                        .to_string();
                    seen.push(line);
                    return Server {
                        child,
                        url,
                        log: rx,
                        seen,
                    };
                }
                seen.push(line);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start; it logged:\n{}", seen.join("\n"));
}

impl Server {
    /// The log so far (the reader thread keeps draining the pipe in the background).
    pub fn log_lines(&mut self) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(100));
        self.seen.extend(self.log.try_iter());
        self.seen.clone()
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status();
        assert!(status.expect("kill runs").success());
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
