//! The `ccu` command.

fn main() {
    std::process::exit(ccu::cli::run());
}
