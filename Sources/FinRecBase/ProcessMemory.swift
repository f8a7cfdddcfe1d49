#if canImport(CMalloc)
import CMalloc
#endif

/// How the C allocator treats the large blocks a streaming read allocates and frees per chunk.
package enum ProcessMemory {
    /// Keeps freed large blocks for reuse instead of giving them back to the system.
    ///
    /// A chunk of 32,768 rows allocates its bytes, cell offsets and columns (each 2–20 MB) and
    /// frees them when the next one is read. By default glibc serves such blocks with `mmap` and
    /// returns them on `free` (and trims the heap above 128 KB), so every chunk touches fresh
    /// pages: `finrec check` on a 357 MB file took 144,000 page faults and 0.4–0.9 s of system
    /// time. With blocks up to 32 MB (glibc's largest threshold on 64-bit) taken from the heap and
    /// the heap trimmed only above 1 GiB, the same run takes 39,000. Memory a command freed stays
    /// with the process until it exits, bounded by the most it held at once.
    ///
    /// Blocks above that threshold are taken from the heap too (`M_MMAP_MAX` 0): a chunk's
    /// feature matrix (32,768 rows × 128 features × 8 bytes, just over 32 MiB) was still mapped
    /// and unmapped per chunk, so `finrec rank` on 1,000,000 firms took 415,000 page faults and
    /// 1.2 s of system time; with it, 110,000 and 0.34 s, the same peak memory. A block too large
    /// for a thread's heap (64 MiB) is served by the main heap instead.
    /// Call once, at the start of a command-line process (not the service's: a long-running
    /// process should give large blocks back).
    package static func keepFreedBlocks() {
        #if canImport(CMalloc)
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_MMAP_MAX, 0)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
        #endif
    }
}
