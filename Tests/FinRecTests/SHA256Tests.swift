import FinRec
import Foundation
import Testing

/// Every test runs on both engines: the CPU's SHA extensions (where it has them; elsewhere the
/// portable code again) and the portable code.
@Suite("SHA-256")
struct SHA256Tests {
    static func hex(_ bytes: some Collection<UInt8>, hardware: Bool) -> String {
        var hash = SHA256(hardware: hardware)
        hash.update(bytes)
        return hash.finalize()
    }

    @Test("FIPS 180-4 test vectors, fed whole and in pieces", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ], [true, false])
    func vectors(vector: (text: String, digest: String), hardware: Bool) {
        let (text, digest) = vector
        #expect(Self.hex(Array(text.utf8), hardware: hardware) == digest)
        var pieces = SHA256(hardware: hardware)
        for byte in text.utf8 { pieces.update([byte]) }
        #expect(pieces.finalize() == digest)
    }

    @Test("A million 'a's", arguments: [true, false])
    func million(hardware: Bool) {
        var h = SHA256(hardware: hardware)
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { h.update(block) }
        #expect(h.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("Both engines agree on messages of every length up to 17 blocks, fed whole and in odd pieces")
    func enginesAgree() {
        var generator = SplitMix64(seed: 11)
        let message = (0..<1100).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for n in 0...message.count {
            let portable = Self.hex(message[0..<n], hardware: false)
            #expect(Self.hex(message[0..<n], hardware: true) == portable, "\(n) bytes")
            var pieces = SHA256(hardware: true)
            var i = 0
            while i < n {
                pieces.update(message[i..<min(n, i + 200)])
                i += 200
            }
            #expect(pieces.finalize() == portable, "\(n) bytes in pieces of 200")
        }
    }

    @Test("Any split of a message gives the digest of the whole: every length around the block edges, pieces of every size",
          arguments: [true, false])
    func splits(hardware: Bool) {
        var generator = SplitMix64(seed: 3)
        let message = (0..<300).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for n in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 300] {
            let whole = Self.hex(message[0..<n], hardware: hardware)
            for piece in [1, 3, 63, 64, 65] {
                var hash = SHA256(hardware: hardware)
                var i = 0
                while i < n {
                    hash.update(message[i..<min(n, i + piece)])
                    i += piece
                }
                #expect(hash.finalize() == whole, "\(n) bytes in pieces of \(piece)")
            }
        }
        // Known digests of 55, 56 and 64 'a's (the padding's edges), from Python's hashlib.
        #expect(Self.hex(Array(repeating: UInt8(ascii: "a"), count: 55), hardware: hardware) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(Self.hex(Array(repeating: UInt8(ascii: "a"), count: 56), hardware: hardware) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(Self.hex(Array(repeating: UInt8(ascii: "a"), count: 64), hardware: hardware) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }
}
