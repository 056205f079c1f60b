//! Zero heap allocations per strict parse-and-classify (`E164::check_strict` + `kind`, valid
//! and invalid inputs alike), counted by a global allocator on the test's own thread only (the
//! test harness's threads allocate whenever they like: counted process-wide, a loaded machine
//! once saw 4).
#![allow(unsafe_code)] // a counting GlobalAlloc must be an unsafe impl

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use telnyx_e164::E164;

struct Counting;
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Whether this thread's allocations are counted (a const initialiser: reading it never
    /// allocates).
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTED.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn strict_parse_and_classify_allocate_nothing() {
    let corpus: Vec<String> = (0..10_000u64)
        .map(|i| match i % 5 {
            0 => format!("+1603555{:04}", i % 10_000),
            1 => format!("+1800555{:04}", i % 10_000),
            2 => format!("+1416555{:04}", i % 10_000),
            3 => format!("+44207946{:04}", i % 10_000),
            _ => format!("+1{}", i),
        })
        .collect();
    let mut us_local = 0u32;
    COUNTED.with(|c| c.set(true));
    // The counter sees this thread's allocations.
    let start = ALLOCATIONS.load(Ordering::Relaxed);
    let control = std::hint::black_box(Box::new(7u8));
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed) - start, 1);
    drop(control);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for input in &corpus {
        if let Ok(n) = E164::check_strict(input)
            && n.kind().name() == "us_local"
        {
            us_local += 1;
        }
    }
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTED.with(|c| c.set(false));
    assert_eq!(
        after - before,
        0,
        "allocations during {} strict parses",
        corpus.len()
    );
    assert_eq!(us_local, 2_000);
}
