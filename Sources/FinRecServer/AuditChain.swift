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
/// 15 KB. Any zlib reads it back (Python: `zlib.decompress`).
package enum Deflate {
    /// Level 1: on the 61.5 KB document of one applicant it takes 0.16 ms through `compress2`
    /// (0.12 ms on a kept stream) and keeps 15.0 KB; zlib's default (6) takes 0.74 ms for
    /// 12.8 KB, too dear on the request's path.
    static let level: Int32 = 1

    /// A deflate stream kept between requests: zlib's `compress2` allocates and clears about
    /// 270 KB of window and hash tables per call, nearly as much again as the compression (in a C
    /// loop on the 61.5 KB document: 232 µs through `compress2`, 123 µs on a kept stream).
    /// `deflateReset` gives a kept stream the state of a new one, so the bytes are the same.
    final class Stream: @unchecked Sendable {
        // @unchecked: a stream is used by one request at a time, taken from and given back to `idle`.
        var z = z_stream()

        init() {
            let status = deflateInit_(&z, level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            precondition(status == Z_OK, "zlib deflateInit failed (\(status))")
        }

        deinit { deflateEnd(&z) }
    }

    /// Streams not in use; at most one per request compressing at once.
    private static let idle = Mutex<[Stream]>([])

    package static func compress(_ bytes: [UInt8]) -> [UInt8] {
        let stream = idle.withLock { $0.popLast() } ?? Stream()
        defer { idle.withLock { $0.append(stream) } }
        let bound = Int(compressBound(uLong(bytes.count)))
        return [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            var status = deflateReset(&stream.z)
            precondition(status == Z_OK, "zlib deflateReset failed (\(status))")
            bytes.withUnsafeBufferPointer { input in
                stream.z.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.z.avail_in = uInt(input.count)
                stream.z.next_out = out.baseAddress
                stream.z.avail_out = uInt(out.count)
                status = deflate(&stream.z, Z_FINISH)
            }
            precondition(status == Z_STREAM_END, "zlib deflate failed (\(status)) with a buffer of compressBound bytes")
            count = Int(stream.z.total_out)
            stream.z.next_in = nil
            stream.z.next_out = nil
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
