import CDeflate
import CXLSXWriter
import FinRec
import Foundation
import Synchronization

/// The hash chain that makes the audit log tamper-evident.
///
/// Each row stores `hash = SHA-256(previous row's hash ‖ id ‖ content digest)`: the hashes as 64
/// lowercase hexadecimal characters (the first row's previous hash is 64 zeros), the id in decimal,
/// all as ASCII. The content digest is the SHA-256 of the row in a canonical encoding: the tag
/// `finrec-audit-row-1`, then each field as an 8-byte big-endian length and its bytes, in this
/// order: time, client, route, input_sha256, model_sha256, applicants (in decimal), kind, encoding,
/// and the stored result (the deflated bytes when the encoding is `deflate`). The digest needs no
/// id, so it is computed on the request's thread; the writer only links. Editing any field of a row,
/// deleting a row or swapping two rows changes a digest that a later row's hash was built on, so
/// `finrec audit verify` names the first row where recomputing the chain parts from what is stored.
/// README.md ("The audit log") spells this out for an auditor's own checker.
package enum AuditChain {
    /// The previous hash of the first row.
    package static let genesis = String(repeating: "0", count: 64)
    static let tag = Array("finrec-audit-row-1".utf8)

    /// The digest of one row's content in the canonical encoding.
    package static func contentDigest(time: String, client: String, route: String, inputSHA256: String, modelSHA256: String,
                                      applicants: Int, kind: String, encoding: String, result: [UInt8]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(result.count + 512)
        func field(_ value: some Collection<UInt8>) {
            let n = UInt64(value.count)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: n >> UInt64(shift))) }
            bytes.append(contentsOf: value)
        }
        bytes.append(contentsOf: tag)
        for text in [time, client, route, inputSHA256, modelSHA256, String(applicants), kind, encoding] { field(text.utf8) }
        field(result)
        return SHA256.hex(bytes)
    }

    /// A row's hash from the previous row's, its id and its content digest.
    package static func link(previous: String, id: Int64, content: String) -> String {
        SHA256.hex(Array((previous + String(id) + content).utf8))
    }

    /// `ID:HASH`, as `finrec audit head` prints a head and `finrec audit verify --head` reads it.
    package struct Head: Sendable, Equatable, CustomStringConvertible {
        package var id: Int64
        package var hash: String

        package init(id: Int64, hash: String) {
            self.id = id
            self.hash = hash
        }

        package init?(parsing text: String) {
            let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":")
            guard parts.count == 2, let id = Int64(parts[0]), id > 0, parts[1].count == 64,
                  parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
            self.init(id: id, hash: String(parts[1]))
        }

        package var description: String { "\(id):\(hash)" }
    }
}

/// zlib (RFC 1950) compression of the stored results: a 61.5 KB score document is stored in
/// 14.2 KB. Any zlib reads it back (Python: `zlib.decompress`); `decompress` uses zlib itself.
package enum Deflate {
    /// libdeflate's level 1. In a C loop on the 61.5 KB document of one applicant (the same
    /// minutes, this machine): 95 µs for 14.2 KB, where zlib's level 1 on a kept stream takes
    /// 154–237 µs for 15.0 KB and zlib's default (6) 0.74 ms for 12.8 KB. In the service, under
    /// load, zlib's level 1 was 18% of the process's CPU time.
    static let level: Int32 = 1

    /// A libdeflate compressor (its hash tables, about 100 KB) kept between requests: one
    /// allocation per compressor, not per call. A compressor keeps no state from one call to the
    /// next, so the bytes depend on the input alone.
    final class Compressor: @unchecked Sendable {
        // @unchecked: a compressor is used by one request at a time, taken from and given back to `idle`.
        let handle: OpaquePointer

        init() {
            guard let handle = libdeflate_alloc_compressor(level) else {
                fatalError("libdeflate could not allocate a compressor (out of memory)")
            }
            self.handle = handle
        }

        deinit { libdeflate_free_compressor(handle) }
    }

    /// Compressors not in use; at most one per request compressing at once.
    private static let idle = Mutex<[Compressor]>([])

    package static func compress(_ bytes: [UInt8]) -> [UInt8] {
        let compressor = idle.withLock { $0.popLast() } ?? Compressor()
        defer { idle.withLock { $0.append(compressor) } }
        let bound = libdeflate_zlib_compress_bound(compressor.handle, bytes.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            count = bytes.withUnsafeBytes { input in
                libdeflate_zlib_compress(compressor.handle, input.baseAddress, input.count, out.baseAddress, out.count)
            }
            // The bound is libdeflate's own worst case for this input: 0 (no room) cannot happen.
            precondition(count > 0, "libdeflate found no room in a buffer of its own bound (\(bound) bytes)")
        }
    }

    /// The inflated bytes; nil when `bytes` is not a whole zlib stream.
    package static func decompress(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(1 << 16, bytes.count * 8))
        return bytes.withUnsafeBufferPointer { input -> [UInt8]? in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { c -> (Int32, Int) in
                    stream.next_out = c.baseAddress
                    stream.avail_out = uInt(c.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, c.count - Int(stream.avail_out))
                }
                out.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END: return stream.avail_in == 0 ? out : nil
                case Z_OK: if produced == 0 && stream.avail_in == 0 { return nil }
                default: return nil
                }
            }
        }
    }
}
