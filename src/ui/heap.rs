//! The desktop app's heap settings.
//!
//! egui tessellates every frame into fresh vertex and index buffers and drops them once painted: on the
//! 100-node workload (benches/workloads/ui100.ron) two buffers grow by doubling to about 0.6 MB each, every
//! frame. glibc hands free memory at the top of the heap back to the kernel once more than
//! `M_TRIM_THRESHOLD` (128 KB by default) is free there, so the heap shrank and regrew every frame: about 30
//! `brk` calls a frame, each regrown page faulted in and zeroed again, a third of the main thread's time
//! at maximum speed (docs/benchmarks.md, "App frame time"). Keeping up to 64 MB of freed heap for reuse
//! ends that; the engine's own memory use is unchanged (it stays flat, and the headless commands do not
//! call this).

/// Freed heap the desktop app keeps for reuse instead of returning it to the kernel, bytes.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD_BYTES: i32 = 64 << 20;

/// Keeps freed heap for reuse (glibc only; elsewhere the allocator's default stands).
pub fn keep_freed_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(
        unsafe_code,
        reason = "mallopt is a plain libc call with integer arguments, made once at start-up"
    )]
    // SAFETY: `mallopt` only sets an allocator parameter; it takes no pointers.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES);
    }
}
