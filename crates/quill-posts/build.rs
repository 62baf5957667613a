// `embed_migrations!` reads the migrations folder at compile time; cargo rebuilds the
// crate when it changes only if told so.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
