//! Rebuilds the binary when the embedded catalog, mappings, templates or schemas change
//! (`include_dir!` alone does not tell cargo about the files it embeds).

fn main() {
    for dir in ["../controls", "../mappings", "../templates", "../schemas"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
