//! A tmux server of a test's own, to drive the real binary in a real
//! terminal: start a command, read the screen, type and press keys.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of the test's own, killed when the test ends.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(name: &str, shell_command: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("ccu-test-{name}-{}", std::process::id()),
        };
        let status = Command::new("tmux")
            .args([
                "-L",
                &tmux.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "30",
            ])
            .arg(shell_command)
            .env_remove("CCU_PASSWORD")
            .env_remove("CCU_NEW_PASSWORD")
            .env_remove("CCU_FILE")
            .status()
            .expect("the tmux program is needed for this test (.ci/run installs it)");
        assert!(status.success());
        tmux
    }

    /// Sizes the window, as a user dragging the terminal's edge.
    pub fn resize(&self, width: u16, height: u16) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "resize-window", "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_for_up_to(text, Duration::from_secs(20))
    }

    pub fn wait_for_up_to(&self, text: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < limit,
                "waited for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `text` shows `times` times on the screen.
    pub fn wait_for_count(&self, text: &str, times: usize) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.matches(text).count() >= times {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited for {text:?} {times} times; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types text as it is, no Enter.
    pub fn type_text(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-l", text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Pastes text as a terminal does: bracketed, when the application
    /// asked for that, else as typed keys.
    pub fn paste(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "set-buffer", "--", text])
            .status()
            .unwrap();
        assert!(status.success());
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "paste-buffer", "-p", "-d"])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Presses keys by tmux's names: `Enter`, `Tab`, `Escape`, `C-s`.
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            let status = Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", key])
                .status()
                .unwrap();
            assert!(status.success());
            // An Escape followed at once by a key reads as Alt and that key,
            // in any terminal: leave the gap a typist leaves.
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn type_line(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-l", text])
            .status()
            .unwrap();
        assert!(status.success());
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "Enter"])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}
