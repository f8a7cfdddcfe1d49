import FinRecBase
import FoundationEssentials

/// Collects rejected rows and writes them, with their reasons, to a CSV file atomically.
final class RejectsWriter {
    let writer: AtomicFileWriter

    init(path: String) throws(FileWriteError) {
        writer = try AtomicFileWriter(path: path)
        try writer.write("line,column,field,reason,record\n")
    }

    func add(line: Int, column: Int?, field: String?, reason: String, record: String) throws(FileWriteError) {
        let cells = [String(line), column.map(String.init) ?? "", field ?? "", reason, record]
        try writer.write(cells.map(CSVField.escape).joined(separator: ",") + "\n")
    }
}
