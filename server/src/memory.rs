//! Memory handed back to the system after a large piece of work.
//!
//! The process's allocator (mimalloc, chosen in `main.rs`) keeps freed memory to reuse it
//! and returns it to the system lazily, on later allocations. After a large email (tens of
//! megabytes read, parsed and written to files) that kept memory stayed resident, and the
//! next large email, read on another thread, took fresh memory beside it: three 41 MB
//! messages in a row peaked at 2.8x one message's size instead of 1.8x (issue 13).

/// Returns to the system, when dropped, the memory the allocator holds freed: this
/// thread's free pages and, process-wide, the memory every thread has already given back
/// to mimalloc's arenas, which it would otherwise keep until later allocations. A large
/// email's blocks (tens of megabytes each) go straight back to the arenas when freed, on
/// whichever thread, so this returns them. Costs a few milliseconds: for after a large piece of work, not
/// for every message. Held through that work, it releases after everything declared after
/// it is gone, on success and on error alike.
pub struct ReleaseOnDrop;

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        // SAFETY: `mi_collect` takes no pointer and has no precondition. Where mimalloc is
        // not the process's allocator (the library's tests), it has nothing to return.
        unsafe { libmimalloc_sys::mi_collect(true) }
    }
}
