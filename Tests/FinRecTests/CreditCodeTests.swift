import FinRec
import Testing

@Suite("Unified social credit code (GB 32100-2015)")
struct CreditCodeTests {
    /// The check character worked by hand for 91370100MA3C5YQ1?: values 9,1,3,7,0,1,0,0,21,10,3,12,5,30,24,1 and
    /// one more; see the weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28.
    @Test("A code with a hand-computed check character is valid")
    func handComputed() {
        // 9·1 + 1·3 + 3·9 + 7·27 + 0·19 + 1·26 + 0·16 + 0·17 + M(21)·20 + A(10)·29 + 3·25 + C(12)·13
        // + 5·8 + Y(30)·24 + Q(24)·10 + 1·30 + 2·28 = 9+3+27+189+0+26+0+0+420+290+75+156+40+720+240+30+56
        // = 2281; 2281 mod 31 = 18; 31 − 18 = 13 → 'D'.
        #expect(CreditCode.complete("91370100MA3C5YQ12") == "91370100MA3C5YQ12D")
        #expect(CreditCode.isValid("91370100MA3C5YQ12D"))
    }

    @Test("A sum divisible by 31 gives check character 0")
    func zeroCheck() throws {
        // Search a code whose weighted sum is ≡ 0 (mod 31) by varying the last body character.
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let found = alphabet.compactMap { c -> String? in
            let code = CreditCode.complete("91370200MA3D7UJ4" + String(c))!
            return code.hasSuffix("0") ? code : nil
        }
        #expect(found.count == 1)
        #expect(CreditCode.isValid(try #require(found.first)))
    }

    @Test("Invalid codes say what is wrong", arguments: [
        ("91370100MA3C5YQ12", "has 18 characters, this has 17"),
        ("91370100MA3C5YQ12X", "check character is 'X' but the first 17 characters give 'D'"),
        ("91370100MA3C5YQ1ID", "character 17 is 'I'"),
        ("913701O0MA3C5YQ12D", "character 7 is 'O'"),
        ("91AB0100MA3C5YQ12D", "characters 3-8 must be the 6-digit region code"),
        ("91370100ma3c5yq12d", "character 9 is 'm'"),
    ])
    func invalid(code: String, message: String) throws {
        let problem = try #require(CreditCode.validate(Array(code.utf8)))
        #expect(problem.description.contains(message), "\(problem)")
    }

    /// The check character by the standard's own recipe, written out here independently of
    /// ``CreditCode``: weight 3^(i−1) mod 31, check = 31 − (Σ cᵢwᵢ mod 31), 31 written as 0.
    static func standardCheckCharacter(_ first17: String) -> Character? {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        var sum = 0, weight = 1
        for c in first17 {
            guard let value = alphabet.firstIndex(of: c) else { return nil }
            sum += value * weight
            weight = weight * 3 % 31
        }
        return alphabet[(31 - sum % 31) % 31]
    }

    @Test("Valid or not, as the standard's recipe says: valid codes with one character changed, dropped or added")
    func mutatedCodes() {
        var random = SplitMix64(seed: 32100)
        let generator = EnterpriseGenerator(seed: 5)
        let characters = Array("0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZa-")
        var valid = 0, invalid = 0
        for i in 0..<8_000 {
            var code = Array(generator.firm(i).id)
            switch random.next() % 8 {
            case 0: break
            case 1: code.remove(at: Int(random.next() % 18))
            case 2: code.insert(characters[Int(random.next() % UInt64(characters.count))], at: Int(random.next() % 18))
            default: code[Int(random.next() % 18)] = characters[Int(random.next() % UInt64(characters.count))]
            }
            let text = String(code)
            let alphabet = Set("0123456789ABCDEFGHJKLMNPQRTUWXY")
            let expected = code.count == 18 && code.allSatisfy(alphabet.contains) && code[2..<8].allSatisfy(\.isNumber)
                && Self.standardCheckCharacter(String(code.prefix(17))) == code[17]
            #expect(CreditCode.isValid(text) == expected, "\(text)")
            #expect((CreditCode.validate(Array(text.utf8)) == nil) == expected, "\(text)")
            if expected { valid += 1 } else { invalid += 1 }
        }
        #expect(valid > 800 && invalid > 6_000)
    }

    @Test("Every generated enterprise has a code whose check character follows GB 32100-2015, computed independently")
    func generatedCodesValid() {
        let generator = EnterpriseGenerator(seed: 9)
        for i in 0..<2_000 {
            let id = generator.firm(i).id
            #expect(id.count == 18 && id.dropFirst(2).prefix(6).allSatisfy(\.isNumber), "\(id)")
            #expect(Self.standardCheckCharacter(String(id.prefix(17))) == id.last, "\(id)")
        }
        // Published example codes (from the standard's own check rule) agree too.
        #expect(Self.standardCheckCharacter("91370100MA3C5YQ12") == "D")
    }
}
