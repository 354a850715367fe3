//! The `leadscore` command line.
fn main() {}
