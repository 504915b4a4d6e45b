//! Integration tests: the library through its public API, and the real `coop` binary on
//! temporary stores. One test binary, several modules, to keep build times down.

mod assembly;
mod cli;
mod crash;
mod hostile;
mod project;
mod store;
mod tamper;
