//! The real binary in a real terminal (tmux): passwords are asked for on a
//! hidden prompt and never appear on screen.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of the test's own, killed when the test ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, shell_command: &str) -> Tmux {
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

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn type_line(&self, text: &str) {
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

fn shell_command(file: &Path, args: &str) -> String {
    format!(
        "{} --file '{}' {args}; echo \"exit=$?\"; sleep 60",
        env!("CARGO_BIN_EXE_ccu"),
        file.display()
    )
}

#[test]
fn init_and_login_ask_for_passwords_on_a_hidden_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unit.ccu");
    let secret = "tall-giraffe-orbit-41";

    let tmux = Tmux::start("init", &shell_command(&file, "init --admin admin"));
    tmux.wait_for("New password for admin:");
    tmux.type_line(secret);
    tmux.wait_for("Type it again:");
    tmux.type_line(secret);
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(screen.contains("Created case file"), "{screen}");
    assert!(
        !screen.contains(secret),
        "the password was echoed:\n{screen}"
    );
    drop(tmux);

    let tmux = Tmux::start("list", &shell_command(&file, "user list --as admin"));
    tmux.wait_for("Password for admin:");
    tmux.type_line(secret);
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(
        screen.contains("admin     admin  Police Staff  administrator  active"),
        "{screen}"
    );
    assert!(
        !screen.contains(secret),
        "the password was echoed:\n{screen}"
    );
    drop(tmux);

    // Two different entries: nothing is created.
    let other = dir.path().join("other.ccu");
    let tmux = Tmux::start("mismatch", &shell_command(&other, "init --admin admin"));
    tmux.wait_for("New password for admin:");
    tmux.type_line(secret);
    tmux.wait_for("Type it again:");
    tmux.type_line("something-else-entirely");
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("the two entries differ"), "{screen}");
    assert!(screen.contains("exit=5"), "{screen}");
    assert!(!other.exists());
}
