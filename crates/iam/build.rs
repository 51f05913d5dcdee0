//! `sqlx::migrate!` embeds the migrations when this crate compiles, but on stable Rust it cannot
//! tell Cargo to watch their directory: without this, adding a migration left the crate (and the
//! server binary) built without it.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
