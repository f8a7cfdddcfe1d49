import ArgumentParser
import FinRec
import FinRecCLISupport

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the enterprise record schema: every field with its Chinese name, unit and range.",
        discussion: "Headers may use the English name, the Chinese name or any listed alias; money is in 万元.")

    func run() {
        print(EnterpriseSchema.schema.markdownTable(), terminator: "")
    }
}
