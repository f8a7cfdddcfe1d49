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
    /// Call once, at the start of a command-line process.
    package static func keepFreedBlocks() {
        #if canImport(CMalloc)
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
        #endif
    }
}
