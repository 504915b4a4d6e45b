//! Integration tests: the library through its public API, and the real `coop` binary on
//! temporary stores. One test binary, several modules, to keep build times down.

mod assembly;
mod cli;
mod crash;
mod hostile;
mod project;
mod store;
mod tamper;

/// Copies a store directory (to damage the copy).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
