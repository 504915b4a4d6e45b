//! The `coop` binary: everything is in the `coop-cli` crate.

/// The binary allocates with mimalloc. Its bulk paths open records on one thread and fold them
/// on another, so much of what one thread allocates another frees: glibc's allocator serialised
/// those threads on its arena lock (a fifth of a verify's fold was spent waiting in `realloc`).
/// Measured side by side on the 1M-event benchmark (medians of four or five runs in turn):
/// `audit verify` 2.43 -> 1.72 s, `import events` 3.38 -> 2.99 s, `import members` of 100,000
/// rows 1.40 -> 1.23 s, the point queries unchanged; peak RSS within 20 MiB of glibc's, given
/// the two settings below (mimalloc's defaults kept 80-150 MiB more).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_t`, the same in mimalloc 2 and 3,
/// whose header `libmimalloc-sys` 0.1.49 builds; the crate names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Memory freed goes back to the system after 10 ms rather than mimalloc's default second:
    // an import frees its chunks at the rate it reads them, and a second of them held peaked
    // 90 MiB over glibc. (Transparent huge pages are off at build time, feature `no_thp`: they
    // rounded the heap up by 2 MiB pages.) `MIMALLOC_PURGE_DELAY` in the environment still wins.
    // SAFETY: sets one of mimalloc's options, a plain store into its table of options, which
    // it reads at each purge; no allocation has depended on it yet.
    unsafe { libmimalloc_sys::mi_option_set_default(MI_OPTION_PURGE_DELAY, 10) };
    coop_cli::main()
}
