//! `fork()` must not touch the heap in the child: in a multithreaded parent another thread may hold
//! the allocator's lock at the moment of the fork, and a child that then allocates or frees waits
//! for it forever. This test binary counts every allocator call made in a child (from the moment a
//! `pthread_atfork` child handler runs until the child exits) and has the child report the count
//! as its exit status.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static IN_CHILD: AtomicBool = AtomicBool::new(false);
static CHILD_CALLS: AtomicUsize = AtomicUsize::new(0);

struct Counting;

// SAFETY: every call is passed on to the system allocator unchanged; counting is a relaxed atomic
// add, which neither allocates nor takes a lock.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if IN_CHILD.load(Ordering::Relaxed) {
            CHILD_CALLS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if IN_CHILD.load(Ordering::Relaxed) {
            CHILD_CALLS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if IN_CHILD.load(Ordering::Relaxed) {
            CHILD_CALLS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

extern "C" fn in_child() {
    IN_CHILD.store(true, Ordering::Relaxed);
}

#[test]
fn the_child_of_fork_makes_no_allocator_call() {
    // SAFETY: registering a handler that only stores to an atomic, which is async-signal-safe.
    let r = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    assert_eq!(r, 0, "pthread_atfork");
    for _ in 0..20 {
        // SAFETY: the child only loads an atomic and calls _exit, both async-signal-safe.
        match unsafe { ptyx::fork() }.expect("fork") {
            ptyx::ForkResult::Child => {
                let calls = CHILD_CALLS.load(Ordering::Relaxed);
                // SAFETY: _exit is async-signal-safe and skips atexit handlers and stdio buffers.
                unsafe { libc::_exit(calls.min(100) as i32) };
            }
            ptyx::ForkResult::Parent { child, master } => {
                let status = child.wait().expect("wait");
                drop(master);
                assert_eq!(status.code(), Some(0), "allocator calls in the child of fork() (exit status)");
            }
        }
    }
}
